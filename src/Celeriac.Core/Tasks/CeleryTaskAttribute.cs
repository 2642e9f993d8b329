namespace Celeriac.Core.Tasks;

/// <summary>
/// Marks a method as a task with the given name, the C# form of Python's <c>@app.task(name=...)</c>.
/// Register the class with <c>AddTasks&lt;T&gt;()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CeleryTaskAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The task name clients send, e.g. <c>tasks.add</c>.</param>
    public CeleryTaskAttribute(string name) => Name = name;

    /// <summary>The task name.</summary>
    public string Name { get; }

    /// <summary>Hard time limit in seconds (0 = none). A message's own limit wins.</summary>
    public double TimeLimit { get; set; }

    /// <summary>Soft time limit in seconds (0 = none). A message's own limit wins.</summary>
    public double SoftTimeLimit { get; set; }

    /// <summary>Exception types that retry the task automatically (Celery's <c>autoretry_for</c>); none by default.</summary>
    public Type[] AutoRetryFor { get; set; } = [];

    /// <summary>How many retries are allowed (Celery's <c>max_retries</c>, 3); negative for no limit.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The delay in seconds of a retry that names no countdown (Celery's <c>default_retry_delay</c>, 180).</summary>
    public double DefaultRetryDelay { get; set; } = 180;

    /// <summary>The base in whole seconds of automatic retries' exponential backoff (Celery's <c>retry_backoff</c>); 0 for none.</summary>
    public int RetryBackoff { get; set; }

    /// <summary>The longest backoff in whole seconds (Celery's <c>retry_backoff_max</c>, 600).</summary>
    public int RetryBackoffMax { get; set; } = 600;

    /// <summary>Whether backoff delays are drawn at random up to the computed delay (Celery's <c>retry_jitter</c>, true).</summary>
    public bool RetryJitter { get; set; } = true;

    /// <summary>The retry policy these properties describe.</summary>
    internal RetryPolicy ToRetryPolicy() => new()
    {
        AutoRetryFor = AutoRetryFor,
        MaxRetries = MaxRetries < 0 ? null : MaxRetries,
        DefaultRetryDelay = TimeSpan.FromSeconds(DefaultRetryDelay),
        Backoff = RetryBackoff > 0 ? TimeSpan.FromSeconds(RetryBackoff) : null,
        BackoffMax = TimeSpan.FromSeconds(RetryBackoffMax),
        Jitter = RetryJitter,
    };
}
