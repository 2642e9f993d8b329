using System.Globalization;

namespace Celeriac.Core.Tasks;

/// <summary>
/// Thrown by <see cref="TaskContext.Retry"/> to tell the worker to retry the task (Celery's <c>celery.exceptions.Retry</c>).
/// The worker republishes the task with the same id and one more retry, unless the maximum is reached: then the task
/// fails with <see cref="Reason"/>, or with <c>MaxRetriesExceededError</c> when there is none. Never catch it in a task.
/// </summary>
public sealed class TaskRetryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskRetryException()
        : this(null, null, null, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskRetryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception to report.</summary>
    public TaskRetryException(string message, Exception innerException)
        : base(message, innerException) => Reason = innerException;

    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The exception reported with RETRY and raised once the maximum is reached.</param>
    /// <param name="countdown">Run again after this long.</param>
    /// <param name="eta">Run again at this time (wins over <paramref name="countdown"/>).</param>
    /// <param name="maxRetries">The maximum for this retry, instead of the task's.</param>
    public TaskRetryException(Exception? reason, TimeSpan? countdown, DateTimeOffset? eta, int? maxRetries)
        : base(Describe(reason, countdown, eta), reason)
    {
        Reason = reason;
        Countdown = countdown;
        Eta = eta;
        MaxRetries = maxRetries;
    }

    /// <summary>The exception reported with RETRY and raised once the maximum is reached (Celery's <c>exc</c>); null for none.</summary>
    public Exception? Reason { get; }

    /// <summary>Run again after this long (Celery's <c>countdown</c>); null for the task's default delay.</summary>
    public TimeSpan? Countdown { get; }

    /// <summary>Run again at this time (Celery's <c>eta</c>); wins over <see cref="Countdown"/>.</summary>
    public DateTimeOffset? Eta { get; }

    /// <summary>The maximum for this retry instead of the task's (Celery's <c>max_retries</c> argument); null for the task's.</summary>
    public int? MaxRetries { get; }

    private static string Describe(Exception? reason, TimeSpan? countdown, DateTimeOffset? eta)
    {
        var when = eta is { } at ? string.Create(CultureInfo.InvariantCulture, $"at {at:O}")
            : countdown is { } delay ? string.Create(CultureInfo.InvariantCulture, $"in {delay.TotalSeconds}s") : "later";
        return reason is null ? $"Retry {when}" : $"Retry {when}: {reason.GetType().Name}('{reason.Message}')";
    }
}
