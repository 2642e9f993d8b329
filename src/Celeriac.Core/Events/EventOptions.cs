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

    /// <summary>
    /// The most task events one message carries. Task events that arrive while the previous ones are still being
    /// sent go out together as one <c>task.multi</c> message (a JSON list), as a prefork Celery worker sends them
    /// (Celery's limit is 24 too); a lone event goes out as itself, under its own routing key. 1 sends every event on
    /// its own, and before the task goes on (nothing is buffered), for a consumer that binds single task event types
    /// and cannot read <c>task.multi</c>.
    /// </summary>
    public int MaxTaskEventsPerMessage { get; set; } = 24;

    /// <summary>How often <c>worker-heartbeat</c> is sent. Monitors consider a worker gone after two missed beats.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);
}
