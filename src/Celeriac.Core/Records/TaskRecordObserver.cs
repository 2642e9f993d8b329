using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Records;

/// <summary>
/// Writes what a worker sees to the task's record: RECEIVED (creating the record for tasks a Celery client
/// sent), STARTED and the outcome. The processor awaits it before acknowledging, so an outcome is durable
/// before the message is gone.
/// </summary>
public sealed class TaskRecordObserver : ITaskObserver
{
    private readonly ITaskStore _store;
    private readonly TimeProvider _time;
    private readonly string _worker;

    /// <summary>Creates the observer.</summary>
    public TaskRecordObserver(ITaskStore store, TimeProvider time, IOptions<WorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _worker = options.Value.Hostname;
    }

    /// <inheritdoc />
    public async ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _store.ApplyAsync(message.Id, new TaskReceived(_time.GetUtcNow(), _worker, TaskDescription.From(message)), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask OnStartedAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _store.ApplyAsync(message.Id, new TaskStarted(_time.GetUtcNow(), _worker), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(retry);
        await _store.ApplyAsync(message.Id,
            new TaskRetried(_time.GetUtcNow(), _worker, retry.Error ?? RpcResultObserver.RetryError(retry), retry.Traceback), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _store.ApplyAsync(message.Id, new TaskFinished(_time.GetUtcNow(), _worker, outcome), cancellationToken);
    }
}
