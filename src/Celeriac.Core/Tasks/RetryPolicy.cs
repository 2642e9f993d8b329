namespace Celeriac.Core.Tasks;

/// <summary>
/// How a task is retried (Celery's <c>max_retries</c>, <c>default_retry_delay</c>, <c>autoretry_for</c>,
/// <c>retry_backoff</c>, <c>retry_backoff_max</c> and <c>retry_jitter</c>, with Celery's defaults). The maximum and
/// the delay apply to every retry, asked for with <see cref="TaskContext.Retry"/> or automatic.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>
    /// How many retries are allowed before the task fails with its exception (Celery's <c>max_retries</c>, 3);
    /// null retries forever.
    /// </summary>
    public int? MaxRetries { get; init; } = 3;

    /// <summary>The delay of a retry that names no countdown or eta (Celery's <c>default_retry_delay</c>, 180 s).</summary>
    public TimeSpan DefaultRetryDelay { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Exception types that retry the task automatically (Celery's <c>autoretry_for</c>): an exception of one of these
    /// types, or derived from one, retries it; empty for none.
    /// </summary>
    public IReadOnlyList<Type> AutoRetryFor { get; init; } = [];

    /// <summary>
    /// The base of the exponential backoff of automatic retries, in whole seconds (Celery's <c>retry_backoff</c>;
    /// <c>True</c> there is 1): the n-th retry waits base × 2ⁿ⁻¹ s. Null (the default) waits
    /// <see cref="DefaultRetryDelay"/> instead.
    /// </summary>
    public TimeSpan? Backoff { get; init; }

    /// <summary>The longest backoff delay, in whole seconds (Celery's <c>retry_backoff_max</c>, 600 s).</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// Whether a backoff delay is drawn at random between 0 and the computed delay ("full jitter", Celery's
    /// <c>retry_jitter</c>, on by default), so tasks that failed together do not all come back together.
    /// </summary>
    public bool Jitter { get; init; } = true;

    /// <summary>Celery's defaults: at most 3 retries, 180 s apart, none automatic.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>True when <paramref name="error"/> is of a type in <see cref="AutoRetryFor"/>.</summary>
    public bool RetriesAutomatically(Exception error) => AutoRetryFor.Any(type => type.IsInstanceOfType(error));
}
