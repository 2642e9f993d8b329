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
/// <remarks>
/// Task events do not wait for the broker: each is stamped, buffered, and sent by one flush on the thread pool, which
/// the first event into an empty buffer schedules. The events that arrive before it runs go with it, as one
/// <c>task.multi</c> message of up to <see cref="EventOptions.MaxTaskEventsPerMessage"/> (what a prefork Celery worker
/// sends), so under load a task's three events cost a fraction of a message each; a lone event goes as itself. Events
/// keep their order: one flush runs at a time, and it sends in the order they arrived.
/// </remarks>
public sealed class EventDispatcher
{
    /// <summary>The routing key of a message that carries a list of task events.</summary>
    public const string TaskMultiRoutingKey = "task.multi";

    // Boxed once: every event carries it.
    private static readonly object s_processId = Environment.ProcessId;

    private readonly IMessagePublisher _publisher;
    private readonly LamportClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger<EventDispatcher> _logger;
    private readonly string _hostname;
    private readonly IReadOnlyDictionary<string, object?> _headers;
    private readonly int _maxPerMessage;
    private volatile bool _taskEventsEnabled;

    private readonly Lock _gate = new();
    private List<CeleryEvent> _buffered = [];
    private List<CeleryEvent> _sending = [];
    // Set while a flush is scheduled or running; completed once the buffer is empty and the flush has ended.
    private TaskCompletionSource? _flushed;

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
        _maxPerMessage = events.Value.MaxTaskEventsPerMessage;
    }

    /// <summary>The node name events carry.</summary>
    public string Hostname => _hostname;

    /// <summary>Whether task events are sent; switched by the <c>enable_events</c>/<c>disable_events</c> commands.</summary>
    public bool TaskEventsEnabled
    {
        get => _taskEventsEnabled;
        set => _taskEventsEnabled = value;
    }

    /// <summary>
    /// Stamps a task event and hands it to the flush (see the remarks), unless task events are off. Completes at once:
    /// <see cref="FlushAsync"/> waits until it is sent. With <see cref="EventOptions.MaxTaskEventsPerMessage"/> 1 nothing
    /// is buffered: the event is sent before this completes.
    /// </summary>
    public ValueTask SendTaskEventAsync(CeleryEvent taskEvent, CancellationToken cancellationToken)
    {
        if (!_taskEventsEnabled)
        {
            return ValueTask.CompletedTask;
        }

        if (_maxPerMessage == 1)
        {
            return SendAsync(taskEvent, cancellationToken);
        }

        var stamped = Stamp(taskEvent);
        lock (_gate)
        {
            _buffered.Add(stamped);
            if (_flushed is not null)
            {
                return ValueTask.CompletedTask;
            }

            _flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ThreadPool.UnsafeQueueUserWorkItem(static dispatcher => _ = dispatcher.FlushBufferedAsync(), this, preferLocal: false);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once every task event handed over so far has been sent (or failed to be, which is logged).</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _flushed?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>Sends an event now, on its own (worker events: online, heartbeat, offline).</summary>
    public async ValueTask SendAsync(CeleryEvent celeryEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(celeryEvent);
        var stamped = Stamp(celeryEvent);
        try
        {
            await PublishAsync(stamped.RoutingKey, stamped.Encode(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EventSendFailed(_logger, celeryEvent.Type, ex);
        }
    }

    private CeleryEvent Stamp(CeleryEvent celeryEvent)
    {
        ArgumentNullException.ThrowIfNull(celeryEvent);
        return celeryEvent.Around(
        [
            new("hostname", _hostname),
            new("utcoffset", UtcOffsetHoursWest()),
            new("pid", s_processId),
            new("clock", _clock.Forward()),
        ], new("timestamp", CeleryTime.ToUnixSeconds(celeryEvent.Timestamp ?? _time.GetUtcNow())));
    }

    private async Task FlushBufferedAsync()
    {
        while (true)
        {
            List<CeleryEvent> batch;
            lock (_gate)
            {
                if (_buffered.Count == 0)
                {
                    _flushed!.TrySetResult();
                    _flushed = null;
                    return;
                }

                // Two lists swapped back and forth: the flush sends one while the tasks fill the other.
                batch = _buffered;
                _buffered = _sending;
                _sending = batch;
            }

            for (var offset = 0; offset < batch.Count; offset += _maxPerMessage)
            {
                var count = Math.Min(_maxPerMessage, batch.Count - offset);
                await SendBufferedAsync(batch, offset, count);
            }

            batch.Clear();
        }
    }

    private async ValueTask SendBufferedAsync(List<CeleryEvent> batch, int offset, int count)
    {
        try
        {
            if (count == 1)
            {
                await PublishAsync(batch[offset].RoutingKey, batch[offset].Encode(), CancellationToken.None);
            }
            else
            {
                await PublishAsync(TaskMultiRoutingKey, CeleryEvent.EncodeList(batch.Skip(offset).Take(count)), CancellationToken.None);
            }
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            Log.EventSendFailed(_logger, count == 1 ? batch[offset].Type : TaskMultiRoutingKey, ex);
        }
    }

    private ValueTask PublishAsync(string routingKey, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var message = new TransportMessage
        {
            Body = body,
            ContentType = TaskMessageCodec.JsonContentType,
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Transient,
            Headers = _headers,
        };
        return _publisher.PublishAsync(new OutgoingMessage(EventOptions.Exchange, routingKey, message, RequiresConfirmation: false), cancellationToken);
    }

    // Celery's utcoffset is hours *west* of UTC (time.timezone // 3600): UTC+2 is -2.
    private int UtcOffsetHoursWest() => (int)Math.Floor(-_time.LocalTimeZone.GetUtcOffset(_time.GetUtcNow()).TotalHours);
}
