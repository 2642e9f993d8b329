using System.Text.Json;
using Celeriac.AspNetCore.Api;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Recording;
using Celeriac.Dashboard.Tasks;
using Celeriac.Dashboard.Workers;
using Celeriac.RabbitMQ.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Live;

/// <summary>
/// Listens to the Celery event stream for the dashboard: worker events update the worker board (and its table), task
/// events feed the metrics and tell open pages which tasks changed. Pages get the changed tasks' records from the
/// store, not the events: the record is the truth, the event only says when to look.
/// </summary>
internal sealed class DashboardEventFeed : BackgroundService
{
    // More changes than this in one push interval: pages refetch their page instead of getting every record.
    private const int MaxRecordsPerPush = 50;

    // A worker sends its event while its record change commits, and a group commit on a slow disk can take seconds:
    // look again this many times (one push interval apart, about 10 s at the default 250 ms).
    private const int MaxLagRetries = 40;

    private static readonly TimeSpan s_statsInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_workersInterval = TimeSpan.FromSeconds(2);

    private readonly CeleryEventReceiver _receiver;
    private readonly ITaskStore _store;
    private readonly EventTaskRecorder _recorder;
    private readonly IWorkerTable _workerTable;
    private readonly WorkerBoard _workers;
    private readonly TaskMetrics _metrics;
    private readonly LiveHub _hub;
    private readonly StateCounts _counts;
    private readonly TimeProvider _time;
    private readonly DashboardOptions _options;
    private readonly ILogger<DashboardEventFeed> _logger;
    private readonly Lock _pendingLock = new();
    private Dictionary<string, PendingChange> _pending = new(StringComparer.Ordinal);
    private volatile bool _workersChanged;

    public DashboardEventFeed(CeleryEventReceiver receiver, ITaskStore store, EventTaskRecorder recorder, IWorkerTable workerTable, WorkerBoard workers, TaskMetrics metrics, LiveHub hub,
        StateCounts counts, TimeProvider time, IOptions<DashboardOptions> options, ILogger<DashboardEventFeed> logger)
    {
        _receiver = receiver;
        _store = store;
        _recorder = recorder;
        _workerTable = workerTable;
        _workers = workers;
        _metrics = metrics;
        _hub = hub;
        _counts = counts;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Tells open pages about a record the dashboard itself changed (a revoke asks for no event).</summary>
    public void PublishRecord(TaskRecord record)
    {
        _counts.Invalidate();
        _hub.Publish("tasks", new TaskChangesView([record.Id], [TaskView.Summary(record, DashboardDefaults.ListValueBytes)], More: false));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The table may answer late (the Functions app's waits for its first Durable client): events are received meanwhile.
            await Task.WhenAll(LoadWorkersAsync(stoppingToken), ReceiveAsync(stoppingToken), PushAsync(stoppingToken));
        }
        finally
        {
            await SaveWorkersAsync();
        }
    }

    private async Task LoadWorkersAsync(CancellationToken stoppingToken)
    {
        try
        {
            _workers.Load(await _workerTable.LoadAsync(stoppingToken), _time.GetUtcNow());
            _workersChanged = true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before the table answered.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WorkerTableUnreadable(_logger, ex);
        }
    }

    // On the way out: the last heartbeat of every worker, so the next start shows them as they were.
    private async Task SaveWorkersAsync()
    {
        foreach (var worker in _workers.Snapshot(_time.GetUtcNow()))
        {
            try
            {
                await _workerTable.SaveAsync(worker, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.WorkerNotSaved(_logger, worker.Hostname, ex);
            }
        }
    }

    private async Task ReceiveAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var subscription = await _receiver.SubscribeAsync(wakeup: true, cancellationToken: stoppingToken);
                Log.Listening(_logger);
                delay = TimeSpan.FromSeconds(1);
                await foreach (var @event in subscription.ReadAllAsync(stoppingToken))
                {
                    await HandleAsync(@event, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The broker went away (or is not there yet): pages keep working from the store and polling.
                Log.EventsUnavailable(_logger, delay.TotalSeconds, ex);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    private async ValueTask HandleAsync(JsonElement @event, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!EventFields.TryGetString(@event, "type", out var type))
        {
            return;
        }

        if (type.StartsWith("worker-", StringComparison.Ordinal))
        {
            _workersChanged = true;
            if (_workers.Apply(@event, now) is { } save)
            {
                try
                {
                    await _workerTable.SaveAsync(save, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.WorkerNotSaved(_logger, save.Hostname, ex);
                }
            }

            return;
        }

        // Recorded first, so that the page told of the change below reads the record it made.
        MarkChanged(await _recorder.RecordAsync(@event, now, cancellationToken));
        if (_metrics.Observe(@event, now) is { } state && EventFields.TryGetString(@event, "uuid", out var id))
        {
            TaskState? expected = TaskStates.TryParseWireName(state, out var parsed) ? parsed : null;
            lock (_pendingLock)
            {
                _pending[id] = new PendingChange(expected, 0);
            }
        }
    }

    // Records written from events held back until their worker was known: their pages are told now.
    private void MarkChanged(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        lock (_pendingLock)
        {
            foreach (var id in ids)
            {
                _pending.TryAdd(id, new PendingChange(null, 0));
            }
        }
    }

    private async Task PushAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.PushInterval, _time);
        var lastStats = _time.GetTimestamp();
        var lastWorkers = lastStats;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    MarkChanged(await _recorder.FlushAsync(_time.GetUtcNow(), stoppingToken));
                    await PushTasksAsync(stoppingToken);
                    if (_time.GetElapsedTime(lastStats) >= s_statsInterval)
                    {
                        lastStats = _time.GetTimestamp();
                        await PushStatsAsync(stoppingToken);
                    }

                    if (_workersChanged || _time.GetElapsedTime(lastWorkers) >= s_workersInterval)
                    {
                        _workersChanged = false;
                        lastWorkers = _time.GetTimestamp();
                        PushWorkers();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // A store read failed: pages keep their last view and try again on the next tick.
                    Log.PushFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PushTasksAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, PendingChange> changes;
        lock (_pendingLock)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            changes = _pending;
            _pending = new Dictionary<string, PendingChange>(StringComparer.Ordinal);
        }

        _counts.Invalidate();
        if (_hub.Subscribers == 0)
        {
            return;
        }

        if (changes.Count > MaxRecordsPerPush)
        {
            _hub.Publish("tasks", new TaskChangesView(changes.Keys.Take(MaxRecordsPerPush).ToArray(), [], More: true));
            return;
        }

        var records = new List<TaskView>(changes.Count);
        foreach (var (id, change) in changes)
        {
            var record = await _store.GetAsync(id, cancellationToken);
            if ((record is null || Lags(record, change.Expected)) && change.Tries < MaxLagRetries)
            {
                lock (_pendingLock)
                {
                    _pending.TryAdd(id, change with { Tries = change.Tries + 1 });
                }

                continue;
            }

            if (record is not null)
            {
                records.Add(TaskView.Summary(record, DashboardDefaults.ListValueBytes));
            }
        }

        if (records.Count > 0)
        {
            _hub.Publish("tasks", new TaskChangesView(records.Select(r => r.Id).ToArray(), records, More: false));
        }
    }

    private static bool Lags(TaskRecord record, TaskState? expected) =>
        expected is { } state && record.State != state && !record.IsFinal && record.State.Precedence() < state.Precedence();

    private async Task PushStatsAsync(CancellationToken cancellationToken)
    {
        if (_hub.Subscribers == 0)
        {
            return;
        }

        var counts = await _counts.GetAsync(cancellationToken);
        _hub.Publish("stats", new StatsView(StateCounts.View(counts), _metrics.Throughput(_time.GetUtcNow(), StatsView.BucketSeconds)));
    }

    private void PushWorkers()
    {
        var now = _time.GetUtcNow();
        _hub.Publish("workers", WorkerView.From(_workers.Snapshot(now), now));
    }

    private sealed record PendingChange(TaskState? Expected, int Tries);
}
