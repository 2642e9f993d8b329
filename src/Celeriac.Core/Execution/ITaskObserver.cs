using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution;

/// <summary>
/// Told about every state change of a task on this worker, in order. Observers publish the change:
/// Celery events, rpc:// results, durable task records. The processor awaits each call, and settles the
/// message only after every observer has the outcome, so an outcome is never acknowledged unrecorded.
/// </summary>
public interface ITaskObserver
{
    /// <summary>The worker received the task and will run it.</summary>
    ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// The task started running at <paramref name="startedAt"/>: the moment its code was called, which may be earlier than
    /// this call (the report waits for RECEIVED's, to keep the order).
    /// </summary>
    ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken);

    /// <summary>
    /// The task failed and will run again (RETRY): told before the retry is published. Does nothing unless implemented,
    /// so observers written before retries existed still build.
    /// </summary>
    ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The task finished: succeeded, failed or was revoked.</summary>
    ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken);
}
