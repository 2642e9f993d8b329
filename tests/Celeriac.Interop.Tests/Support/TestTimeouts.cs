namespace Celeriac.Interop.Tests.Support;

/// <summary>
/// Deadlines. Generous, because a 2-core machine runs the broker, .NET and Python workers and clients at once; a
/// passing test never waits them out, it waits for its condition.
/// </summary>
public static class TestTimeouts
{
    /// <summary>The whole test (xunit's <c>Timeout</c>, milliseconds): a hung peer fails the test instead of the run.</summary>
    public const int Test = 90_000;

    /// <summary>For a log line, event, reply or result that should arrive promptly.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>For a process to start, or a result that waits behind another task.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
}
