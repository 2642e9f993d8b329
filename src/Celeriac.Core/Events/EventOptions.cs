namespace Celeriac.Core.Events;

/// <summary>Settings for the events a worker sends.</summary>
public sealed class EventOptions
{
    /// <summary>The exchange events go to (a topic exchange).</summary>
    public const string Exchange = "celeryev";

    /// <summary>
    /// Send task events (received, started, succeeded, ...). On by default, unlike Celery, so a monitor
    /// works against a plain worker; the <c>enable_events</c>/<c>disable_events</c> commands switch it at runtime.
    /// </summary>
    public bool SendTaskEvents { get; set; } = true;

    /// <summary>How often <c>worker-heartbeat</c> is sent. Monitors consider a worker gone after two missed beats.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);
}
