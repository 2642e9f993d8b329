using Celeriac.Core.Protocol;

namespace Celeriac.Core.Transport;

/// <summary>What a client of the broker does: send tasks and broadcast revokes to workers.</summary>
public interface ITaskBroker
{
    /// <summary>Publishes a task message to a queue; returns once the broker confirmed it.</summary>
    ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a task for a worker that may write no task records (a Python Celery worker): the result it sends back
    /// over rpc:// is written to the task store. A transport without replies sends it as <see cref="SendTaskAsync"/> does.
    /// </summary>
    ValueTask SendRecordingResultAsync(TaskMessage message, string queue, CancellationToken cancellationToken) =>
        SendTaskAsync(message, queue, cancellationToken);

    /// <summary>Tells every worker (Celery's and Celeriac's) to revoke a task, and with <paramref name="terminate"/> to stop it.</summary>
    ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken);
}
