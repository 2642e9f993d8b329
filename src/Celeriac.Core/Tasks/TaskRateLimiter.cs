namespace Celeriac.Core.Tasks;

/// <summary>
/// The per-worker rate limits of <see cref="TaskOptions.RateLimit"/>, as Celery's consumer keeps them: one token
/// bucket per task name, holding one token, refilled at the task's rate. A task may start when
/// <see cref="TryAcquire"/> says so; otherwise it waits the time it was told, without holding a concurrency slot,
/// so tasks of other names are not held up. A limit changed at runtime (the <c>rate_limit</c> control command)
/// takes effect at the next call: the bucket is rebuilt, as Celery's <c>reset_rate_limits</c> does.
/// </summary>
/// <remarks>The processor asks this before a task joins the line for a concurrency slot.</remarks>
public sealed class TaskRateLimiter
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates the limiter.</summary>
    public TaskRateLimiter(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>
    /// Takes the token for one start of <paramref name="task"/>. True when it may start now; otherwise false, and
    /// <paramref name="wait"/> says how long until it may.
    /// </summary>
    public bool TryAcquire(TaskDefinition task, out TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(task);
        wait = TimeSpan.Zero;
        var limit = task.Options.RateLimit;
        lock (_lock)
        {
            if (limit is null)
            {
                _buckets.Remove(task.Name);
                return true;
            }

            var now = _time.GetTimestamp();
            if (!_buckets.TryGetValue(task.Name, out var bucket) || !ReferenceEquals(bucket.Limit, limit))
            {
                // A new or changed limit starts with a full bucket, as kombu's TokenBucket does.
                bucket = new Bucket(limit, tokens: 1, now);
                _buckets[task.Name] = bucket;
            }

            var elapsed = _time.GetElapsedTime(bucket.UpdatedAt, now).TotalSeconds;
            bucket.Tokens = Math.Min(1, bucket.Tokens + (elapsed * limit.PerSecond));
            bucket.UpdatedAt = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / limit.PerSecond);
            return false;
        }
    }

    private sealed class Bucket(TaskRateLimit limit, double tokens, long updatedAt)
    {
        public TaskRateLimit Limit { get; } = limit;

        public double Tokens { get; set; } = tokens;

        public long UpdatedAt { get; set; } = updatedAt;
    }
}
