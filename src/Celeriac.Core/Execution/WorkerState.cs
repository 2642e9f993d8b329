using System.Collections.Concurrent;

namespace Celeriac.Core.Execution;

/// <summary>
/// What this worker holds right now: reserved (received, waiting to start) and active (running) tasks,
/// and counters for <c>inspect</c> and heartbeats.
/// </summary>
public sealed class WorkerState
{
    private readonly ConcurrentDictionary<string, TaskRequest> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private long _processed;

    /// <summary>Creates the state, stamped with the start time.</summary>
    public WorkerState(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        StartedAt = time.GetUtcNow();
    }

    /// <summary>When the worker started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Tasks received and not started (waiting for a slot or an ETA).</summary>
    public IReadOnlyList<TaskRequest> Reserved => _requests.Values.Where(r => r.StartedAt is null).ToArray();

    /// <summary>Tasks running now.</summary>
    public IReadOnlyList<TaskRequest> Active => _requests.Values.Where(r => r.StartedAt is not null).ToArray();

    /// <summary>How many tasks are running now.</summary>
    public int ActiveCount => _requests.Values.Count(r => r.StartedAt is not null);

    /// <summary>How many tasks this worker started since it started (Celery's <c>processed</c>).</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>Started tasks by name, for <c>inspect().stats()['total']</c>.</summary>
    public IReadOnlyDictionary<string, long> Totals => _totals;

    /// <summary>Finds a reserved or active task by id.</summary>
    public bool TryGet(string taskId, out TaskRequest request) => _requests.TryGetValue(taskId, out request!);

    internal void Add(TaskRequest request) => _requests[request.Message.Id] = request;

    // Counted when a task starts, as Celery counts accepted tasks: discarded revokes never count.
    internal void CountStarted(TaskRequest request)
    {
        Interlocked.Increment(ref _processed);
        _totals.AddOrUpdate(request.Message.Name, 1, static (_, n) => n + 1);
    }

    internal void Remove(TaskRequest request) =>
        _requests.TryRemove(new KeyValuePair<string, TaskRequest>(request.Message.Id, request));
}
