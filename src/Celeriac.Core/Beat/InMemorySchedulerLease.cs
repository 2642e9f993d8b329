namespace Celeriac.Core.Beat;

/// <summary>The lease within one process: for a single beat, and for tests. Several processes need a shared store (SQLite).</summary>
public sealed class InMemorySchedulerLease(TimeProvider time) : ISchedulerLease
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _ticks = new(StringComparer.Ordinal);
    private string? _owner;
    private DateTimeOffset _expires;

    /// <inheritdoc />
    public ValueTask<bool> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_owner is null || _owner == owner || _expires <= now)
            {
                _owner = owner;
                _expires = now + duration;
                return ValueTask.FromResult(true);
            }

            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_owner == owner)
            {
                _owner = null;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> GetLastTickAsync(string entry, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<DateTimeOffset?>(_ticks.TryGetValue(entry, out var tick) ? tick : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryClaimTickAsync(string owner, string entry, DateTimeOffset tick, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_owner != owner || _expires <= time.GetUtcNow() || (_ticks.TryGetValue(entry, out var last) && last >= tick))
            {
                return ValueTask.FromResult(false);
            }

            _ticks[entry] = tick;
            return ValueTask.FromResult(true);
        }
    }
}
