using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Execution;

/// <summary>
/// The last step of every delivery: report the outcome to every <see cref="ITaskObserver"/>, then acknowledge; or
/// give the message back to the queue; or park it where a person can look at it. Observers first, ack last: an
/// outcome nobody recorded is never acknowledged, so a crash before the ack redelivers the task.
/// </summary>
internal sealed class Settlement(ITaskObserver[] observers, IParkingLot parkingLot, IMessagePublisher publisher, ILogger logger)
{
    // Observers are told of one change together (a durable write, a confirmed result and an event overlap instead of
    // adding up); each observer still hears a task's changes in order, since the next report waits for this one.
    public Task ReportReceivedAsync(TaskMessage message, CancellationToken cancellationToken) =>
        Task.WhenAll(observers.Select(o => o.OnReceivedAsync(message, cancellationToken).AsTask()));

    public Task ReportStartedAsync(TaskMessage message, DateTimeOffset startedAt) =>
        Task.WhenAll(observers.Select(o => o.OnStartedAsync(message, startedAt, CancellationToken.None).AsTask()));

    public async Task FinishAsync(TaskMessage message, TaskOutcome outcome, Delivery delivery)
    {
        await Task.WhenAll(observers.Select(o => o.OnFinishedAsync(message, outcome, CancellationToken.None).AsTask()));
        await delivery.Handle.AckAsync(CancellationToken.None);
    }

    /// <summary>
    /// Reports the retry, publishes the task again (same id, one more retry, its new ETA) and only then acknowledges the
    /// failed run: a crash before the broker confirmed the new message redelivers the old one, so the task is never lost.
    /// </summary>
    public async Task RetryAsync(TaskMessage message, TaskRetry retry, Delivery delivery)
    {
        Log.TaskRetried(logger, message.DisplayName, message.Id, retry.Describe());
        await Task.WhenAll(observers.Select(o => o.OnRetriedAsync(message, retry, CancellationToken.None).AsTask()));
        await publisher.PublishAsync(RetryPlanner.Republish(message, retry, delivery), CancellationToken.None);
        await delivery.Handle.AckAsync(CancellationToken.None);
    }

    /// <summary>
    /// Settles a redelivered task that already finished: its recorded result goes to the caller again (with a reply
    /// queue), then the message is acknowledged. Nothing else is reported: the record and the events have it already.
    /// </summary>
    public async Task ResendFinishedAsync(TaskMessage message, TaskResult result, Delivery delivery, bool persistent)
    {
        if (!message.IgnoreResult && !string.IsNullOrEmpty(message.ReplyTo))
        {
            await publisher.PublishAsync(result.ToMessage(message.ReplyTo, message.CorrelationId, persistent), CancellationToken.None);
        }

        await delivery.Handle.AckAsync(CancellationToken.None);
    }

    public async Task RequeueAsync(TaskMessage message, Delivery delivery)
    {
        Log.TaskRequeued(logger, message.DisplayName, message.Id);
        await TryRejectAsync(delivery);
    }

    /// <summary>Gives the message back without reporting anything; never throws (the broker redelivers it anyway once the channel is gone).</summary>
    public async Task TryRejectAsync(Delivery delivery)
    {
        try
        {
            await delivery.Handle.RejectAsync(requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            Log.RejectFailed(logger, ex);
        }
    }

    public async Task ParkUndecodableAsync(Delivery delivery, MessageDecodeException error)
    {
        Log.UndecodableMessage(logger, delivery.Queue, error.Message);
        await parkingLot.ParkAsync(delivery, error.Message, CancellationToken.None);

        // Better than Celery, whose caller waits forever: when the id is readable, the task gets a FAILURE record, event
        // and (with a reply queue) result, as an unregistered task does.
        var headers = delivery.Message.Headers;
        var taskId = (headers.TryGetValue("id", out var id) ? id as string : null) ?? delivery.Message.CorrelationId;
        if (string.IsNullOrEmpty(taskId))
        {
            await delivery.Handle.AckAsync(CancellationToken.None);
            return;
        }

        var message = new TaskMessage
        {
            Id = taskId,
            Name = (headers.TryGetValue("task", out var name) ? name as string : null) ?? "",
            ReplyTo = string.IsNullOrEmpty(delivery.Message.ReplyTo) ? null : delivery.Message.ReplyTo,
            CorrelationId = delivery.Message.CorrelationId,
        };
        await FinishAsync(message, TaskOutcome.Failure(TaskError.Create("DecodeError", error.Message, "kombu.exceptions"), null, null), delivery);
    }

    public async Task ParkPoisonAsync(Delivery delivery, TaskMessage message, int deliveries)
    {
        Log.PoisonMessage(logger, message.DisplayName, message.Id, deliveries);
        var reason = $"Delivered {deliveries} times without finishing (WorkerOptions.MaxDeliveries): the worker most likely died running it.";
        await parkingLot.ParkAsync(delivery, reason, CancellationToken.None);
        await FinishAsync(message, TaskOutcome.Failure(TaskError.Create("WorkerLostError", reason, "celery.exceptions"), null, null), delivery);
    }

    public async Task ParkUnregisteredAsync(Delivery delivery, TaskMessage message, string hostname)
    {
        Log.UnregisteredTask(logger, message.Name, message.Id);
        await parkingLot.ParkAsync(delivery, $"Task '{message.Name}' is not registered on {hostname}.", CancellationToken.None);
        await FinishAsync(message, TaskOutcome.Failure(TaskError.NotRegistered(message.Name), null, null), delivery);
    }
}
