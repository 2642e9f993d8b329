using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Execution;

/// <summary>
/// Decides whether a failed run is retried, as Celery's <c>Task.retry</c> and <c>autoretry_for</c> do, and builds the
/// message that retries it. Pure (the clock and the jitter's random source are passed in), so it is tested as a table.
/// </summary>
internal static class RetryPlanner
{
    /// <summary>
    /// The decision for a run that threw, or null when its exception asks for no retry (the failure stands). A
    /// <see cref="TaskRetryException"/> always retries or gives up; an exception of a type in
    /// <see cref="RetryPolicy.AutoRetryFor"/> does the same with the policy's backoff.
    /// </summary>
    public static RetryDecision? Decide(RunEnd end, TaskMessage message, RetryPolicy policy, DateTimeOffset now, Random random)
    {
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(policy);
        Exception? reason;
        TimeSpan? countdown;
        DateTimeOffset? eta = null;
        int? maximum;
        switch (end.Error)
        {
            case TaskRetryException asked:
                reason = asked.Reason;
                countdown = asked.Countdown;
                eta = asked.Eta;
                maximum = asked.MaxRetries ?? policy.MaxRetries;
                break;
            case { } error when policy.RetriesAutomatically(error):
                reason = error;
                countdown = policy.Backoff is { } factor
                    ? TimeSpan.FromSeconds(RetryBackoff.Seconds((long)factor.TotalSeconds, message.Retries, (long)policy.BackoffMax.TotalSeconds,
                        policy.Jitter, random))
                    : null;
                maximum = policy.MaxRetries;
                break;
            default:
                return null;
        }

        var traceback = TaskTraceback.Format(end.Error);
        var retries = message.Retries + 1;
        if (maximum is { } limit && retries > limit)
        {
            // As Celery: past the maximum the task fails with its own exception; only a retry without one fails with
            // MaxRetriesExceededError.
            var error = reason is null
                ? TaskError.Create("MaxRetriesExceededError",
                    $"Can't retry {message.Name}[{message.Id}] args:{PythonRepr.FormatTuple(message.Args)} kwargs:{PythonRepr.Format(message.Kwargs)}",
                    "celery.exceptions")
                : TaskError.FromException(reason);
            return new RetryDecision(null, TaskOutcome.Failure(error, traceback, end.Runtime));
        }

        // As Celery: without an eta or a countdown the task's default delay; a countdown other than 0 wins over an eta
        // (apply_async turns it into one); a zero countdown runs it at once.
        if (eta is null)
        {
            countdown ??= policy.DefaultRetryDelay;
        }

        DateTimeOffset? at = countdown is { } delay && delay > TimeSpan.Zero ? now + delay : eta;
        var retry = new TaskRetry(retries, at, eta is null ? countdown : null, reason is null ? null : TaskError.FromException(reason), traceback);
        return new RetryDecision(retry, null);
    }

    /// <summary>
    /// The message that runs the retry: the same task (id, arguments, workflow, reply queue) with the new retry count
    /// and ETA, published where the failed one was (Celery republishes to the delivery's exchange and routing key).
    /// </summary>
    public static OutgoingMessage Republish(TaskMessage message, TaskRetry retry, Delivery delivery)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(delivery);
        var next = message with { Retries = retry.Retries, Eta = retry.Eta };
        var (exchange, routingKey) = delivery.Exchange.Length == 0 && delivery.RoutingKey.Length == 0
            ? ("", delivery.Queue)
            : (delivery.Exchange, delivery.RoutingKey);
        return new OutgoingMessage(exchange, routingKey, TaskMessageCodec.Encode(next));
    }
}
