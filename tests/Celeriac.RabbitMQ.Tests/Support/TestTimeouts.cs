namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// Deadlines for waits. Generous, because a 2-core CI machine runs several workers and brokers at once; a passing
/// test never waits for them, it waits for its condition.
/// </summary>
public static class TestTimeouts
{
    /// <summary>For a message, event or reply that should arrive promptly.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>For a task result or a process to start or exit.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>For the management API's statistics, which the broker refreshes every 5 seconds.</summary>
    public static readonly TimeSpan Statistics = TimeSpan.FromSeconds(25);
}
