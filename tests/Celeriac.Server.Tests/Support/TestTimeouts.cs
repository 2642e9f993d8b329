namespace Celeriac.Server.Tests.Support;

/// <summary>
/// Deadlines. Generous, because a 2-core machine runs the broker, several servers and Python at once; a passing test
/// never waits them out, it waits for its condition.
/// </summary>
public static class TestTimeouts
{
    /// <summary>The whole test (xunit's <c>Timeout</c>, milliseconds): a hung server fails the test instead of the run.</summary>
    public const int Test = 90_000;

    /// <summary>For an answer, a log line or a state that should come promptly.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>For a process to start or stop, or a task that waits behind another.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
}
