namespace Celeriac.Core.Revocation;

/// <summary>
/// A bounded set of revoked ids with their revoke times (Celery's <c>LimitedSet</c>): the oldest entries
/// go when it is full or when they are older than the retention period. Thread-safe.
/// </summary>
internal sealed class RevokedTaskSet
{
    private readonly Dictionary<string, DateTimeOffset> _revokedAt = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _byAge = new();
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly TimeSpan _retainFor;

    public RevokedTaskSet(int maxEntries, TimeSpan retainFor)
    {
        _maxEntries = maxEntries;
        _retainFor = retainFor;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _revokedAt.Count;
            }
        }
    }

    public void Add(string taskId, DateTimeOffset revokedAt)
    {
        lock (_lock)
        {
            _revokedAt[taskId] = revokedAt;
            _byAge.Enqueue(taskId, revokedAt);
            PurgeLocked(revokedAt);
        }
    }

    public bool Contains(string taskId, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _revokedAt.TryGetValue(taskId, out var at) && now - at < _retainFor;
        }
    }

    public IReadOnlyList<KeyValuePair<string, DateTimeOffset>> Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            PurgeLocked(now);
            return _revokedAt.OrderBy(e => e.Value).ToArray();
        }
    }

    private void PurgeLocked(DateTimeOffset now)
    {
        while (_byAge.TryPeek(out var id, out var at))
        {
            var stale = !_revokedAt.TryGetValue(id, out var current) || current != at;
            if (!stale && now - at < _retainFor && _revokedAt.Count <= _maxEntries)
            {
                break;
            }

            _byAge.Dequeue();
            if (!stale)
            {
                _revokedAt.Remove(id);
            }
        }
    }
}
