using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Dashboard.Live;
using Celeriac.Dashboard.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Recording;

/// <summary>
/// Gives tasks run by workers that keep no record (Python Celery, any other Celery-compatible worker) a durable record,
/// from the task events the dashboard receives, through the same <see cref="TaskStateMachine"/> (so a late or repeated
/// event changes nothing and a final state is never overwritten).
/// </summary>
/// <remarks>
/// Celeriac's own workers write their records themselves, with JSON arguments and results, and send their events
/// alongside (not after) those writes: recording their events too could let a repr-string outcome win over the worker's.
/// So events of a worker whose heartbeats say it is Celeriac (<c>sw_ident</c>) are left alone, and events of a worker
/// not heard from yet wait (in order) until its heartbeat tells what it is, at most <see cref="HostWait"/>; the feed
/// asks every worker for a heartbeat when it subscribes, so that wait is short.
/// </remarks>
internal sealed class EventTaskRecorder
{
    /// <summary>How long events of an unknown worker wait for its first heartbeat before they are recorded anyway.</summary>
    public static readonly TimeSpan HostWait = TimeSpan.FromSeconds(5);

    // Events of unknown workers beyond this many are recorded at once rather than held.
    private const int MaxWaiting = 10_000;

    private readonly ITaskStore _store;
    private readonly WorkerBoard _workers;
    private readonly ILogger<EventTaskRecorder> _logger;
    private readonly bool _enabled;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<Waiting> _waiting = new();

    public EventTaskRecorder(ITaskStore store, WorkerBoard workers, IOptions<DashboardOptions> options, ILogger<EventTaskRecorder> logger)
    {
        _store = store;
        _workers = workers;
        _logger = logger;
        _enabled = options.Value.RecordTasksFromEvents;
    }

    /// <summary>
    /// Records one task event received at <paramref name="now"/> (after any held events it must follow). Returns the ids
    /// of the tasks whose record it wrote, so open pages can be told.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> RecordAsync(JsonElement @event, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_enabled || !EventFields.TryGetString(@event, "type", out var type) || !type.StartsWith("task-", StringComparison.Ordinal))
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var written = new List<string>();
            await ReleaseAsync(now, written, cancellationToken);
            var host = EventFields.TryGetString(@event, "hostname", out var hostname) ? hostname : null;
            if (host is not null && _waiting.Count < MaxWaiting && (!_workers.TryGetSoftware(host, out _) || _waiting.Any(w => w.Host == host)))
            {
                _waiting.Enqueue(new Waiting(@event.Clone(), host, now));
                return written;
            }

            await ApplyAsync(@event, host, now, written, cancellationToken);
            return written;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records the held events whose worker is now known or that waited long enough; returns the ids written.</summary>
    public async ValueTask<IReadOnlyList<string>> FlushAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_enabled || _waiting.Count == 0)
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var written = new List<string>();
            await ReleaseAsync(now, written, cancellationToken);
            return written;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReleaseAsync(DateTimeOffset now, List<string> written, CancellationToken cancellationToken)
    {
        // In arrival order; an event still waiting holds back the later events of its worker only.
        var count = _waiting.Count;
        var stillUnknown = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var waiting = _waiting.Dequeue();
            if (!stillUnknown.Contains(waiting.Host) && (_workers.TryGetSoftware(waiting.Host, out _) || now - waiting.ReceivedAt >= HostWait))
            {
                await ApplyAsync(waiting.Event, waiting.Host, waiting.ReceivedAt, written, cancellationToken);
            }
            else
            {
                stillUnknown.Add(waiting.Host);
                _waiting.Enqueue(waiting);
            }
        }
    }

    private async ValueTask ApplyAsync(JsonElement @event, string? host, DateTimeOffset receivedAt, List<string> written, CancellationToken cancellationToken)
    {
        if (host is not null && _workers.TryGetSoftware(host, out var software) && software == WorkerHeartbeat.SoftwareIdentity)
        {
            return;
        }

        if (EventTransitions.From(@event, receivedAt) is not { } transition || !EventFields.TryGetString(@event, "uuid", out var id))
        {
            return;
        }

        try
        {
            var current = await _store.GetAsync(id, cancellationToken);
            if (!MovesForward(current, transition, host))
            {
                return;
            }

            var result = await _store.ApplyAsync(id, transition, cancellationToken);
            if (result.WasApplied)
            {
                written.Add(id);
                Log.RecordedFromEvent(_logger, id, transition.Target?.ToWireName() ?? "revoke", host);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // One event lost is one record behind, not a stopped feed: the next event of the task catches it up.
            Log.RecordFromEventFailed(_logger, id, ex);
        }
    }

    // Celery's monitors never move a task back to a state of lower precedence (except for RETRY); the state machine
    // allows RECEIVED and STARTED again for a redelivered task, which an event may repeat only from another worker.
    private static bool MovesForward(TaskRecord? current, TaskTransition transition, string? host) =>
        current is null || transition is TaskAccepted or TaskRetried || transition.Target is not { } target
        || target.Precedence() > current.State.Precedence()
        || (target == current.State && host is not null && !string.Equals(host, current.Worker, StringComparison.Ordinal));

    private sealed record Waiting(JsonElement Event, string Host, DateTimeOffset ReceivedAt);
}
