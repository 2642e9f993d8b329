namespace Celeriac.Server;

/// <summary>
/// Lets the runtime finish socket reads and writes on its socket event threads, instead of handing each completion to
/// the thread pool (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>).
/// </summary>
/// <remarks>
/// <para>
/// A busy worker's broker connection completes a read many times a second. By default each completion is a thread-pool
/// work item, often a thread woken for it, only to run the client library's frame loop, which hands deliveries to its
/// consumer dispatcher and confirms to the publisher. On the event thread that saw the data the loop runs at once. Measured
/// with <c>./bench.sh --sections drain</c> (docs/benchmarks.md): the same worker drained about a tenth more tasks a second
/// (from 2% fewer to 24% more in single interleaved pairs), and without records and events it spent about a fifth less
/// CPU a task.
/// </para>
/// <para>
/// Nothing that blocks runs there: the client library dispatches deliveries to its consumers on the thread pool, the
/// publisher answers confirms on the thread pool, the record store writes on its own thread, task code runs on the
/// thread pool, and Kestrel schedules request handling on its own queues. The runtime reads the variable once, when the
/// first socket is made, and only from the environment (no runtimeconfig setting exists), so a host calls this first
/// thing. A value set in the environment is kept: <c>0</c> turns it off.
/// </para>
/// </remarks>
public static class SocketCompletions
{
    /// <summary>The runtime's environment variable.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process, unless the environment already says; call before any socket is made.</summary>
    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
