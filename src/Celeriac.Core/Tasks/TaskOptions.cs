namespace Celeriac.Core.Tasks;

/// <summary>Per-task settings; a message's own values win over these.</summary>
public sealed record TaskOptions
{
    /// <summary>Hard time limit: the task's token is cancelled and the task fails with TimeLimitExceeded.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Soft time limit: the task's token is cancelled; a task that returns anyway succeeds.</summary>
    public TimeSpan? SoftTimeLimit { get; init; }

    /// <summary>
    /// How often this worker may start the task (Celery's <c>rate_limit</c>); null for no limit. The
    /// <c>rate_limit</c> control command changes it at runtime.
    /// </summary>
    public TaskRateLimit? RateLimit { get; init; }

    /// <summary>How the task is retried: its maximum, delays and automatic retries (Celery's defaults: none automatic).</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>The defaults: no limits.</summary>
    public static TaskOptions Default { get; } = new();
}
