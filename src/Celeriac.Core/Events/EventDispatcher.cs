using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Events;

/// <summary>
/// Sends Celery events to the <c>celeryev</c> exchange, stamped with the fields every event carries
/// (hostname, utcoffset, pid, clock, timestamp). Events are best effort, as in Celery: a failed send is
/// logged, never thrown at the task.
/// </summary>
public sealed class EventDispatcher
{
    private readonly IMessagePublisher _publisher;
    private readonly LamportClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger<EventDispatcher> _logger;
    private readonly string _hostname;
    private readonly IReadOnlyDictionary<string, object?> _headers;
    private volatile bool _taskEventsEnabled;

    /// <summary>Creates the dispatcher.</summary>
    public EventDispatcher(IMessagePublisher publisher, LamportClock clock, TimeProvider time, IOptions<WorkerOptions> worker,
        IOptions<EventOptions> events, ILogger<EventDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(events);
        _publisher = publisher;
        _clock = clock;
        _time = time;
        _logger = logger;
        _hostname = worker.Value.Hostname;
        _headers = new Dictionary<string, object?> { ["hostname"] = _hostname };
        _taskEventsEnabled = events.Value.SendTaskEvents;
    }

    /// <summary>The node name events carry.</summary>
    public string Hostname => _hostname;

    /// <summary>Whether task events are sent; switched by the <c>enable_events</c>/<c>disable_events</c> commands.</summary>
    public bool TaskEventsEnabled
    {
        get => _taskEventsEnabled;
        set => _taskEventsEnabled = value;
    }

    /// <summary>Sends a task event, unless task events are off.</summary>
    public ValueTask SendTaskEventAsync(CeleryEvent taskEvent, CancellationToken cancellationToken) =>
        _taskEventsEnabled ? SendAsync(taskEvent, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Sends an event.</summary>
    public async ValueTask SendAsync(CeleryEvent celeryEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(celeryEvent);
        var stamped = new CeleryEvent(celeryEvent.Type,
        [
            new("hostname", _hostname),
            new("utcoffset", UtcOffsetHoursWest()),
            new("pid", Environment.ProcessId),
            new("clock", _clock.Forward()),
            .. celeryEvent.Fields,
            new("timestamp", CeleryTime.ToUnixSeconds(_time.GetUtcNow())),
        ]);

        var message = new TransportMessage
        {
            Body = stamped.Encode(),
            ContentType = TaskMessageCodec.JsonContentType,
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Transient,
            Headers = _headers,
        };

        try
        {
            await _publisher.PublishAsync(new OutgoingMessage(EventOptions.Exchange, stamped.RoutingKey, message, RequiresConfirmation: false), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EventSendFailed(_logger, celeryEvent.Type, ex);
        }
    }

    // Celery's utcoffset is hours *west* of UTC (time.timezone // 3600): UTC+2 is -2.
    private int UtcOffsetHoursWest() => (int)Math.Floor(-_time.LocalTimeZone.GetUtcOffset(_time.GetUtcNow()).TotalHours);
}
