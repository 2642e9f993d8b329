namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// Deadlines. Generous, because a 2-core machine runs brokers, servers and Python at once; a passing test never waits
/// them out, it waits for its condition.
/// </summary>
public static class FaultTimeouts
{
    /// <summary>A whole fault test (xunit's <c>Timeout</c>, milliseconds).</summary>
    public const int Test = 600_000;

    /// <summary>For an answer, an event or a state that should come promptly.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>For a process to start or stop, or everything to come back after the broker did.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
}
