using System.Collections.Concurrent;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Records;

/// <summary>
/// Writes what a worker sees to the task's record: RECEIVED (creating the record for tasks a Celery client
/// sent), STARTED and the outcome. The processor awaits it before acknowledging, so an outcome is durable
/// before the message is gone.
/// </summary>
/// <remarks>
/// With a store that applies changes in call order (<see cref="ITaskStore.AppliesInCallOrder"/>), RECEIVED and STARTED
/// are handed to the store without waiting for their commit, and the outcome is handed over before they are awaited:
/// a fast task's three changes then share one commit instead of paying three in a row. The outcome's report still
/// completes only after all three are committed, and fails if any of them failed, as when each was awaited in turn,
/// so nothing is acknowledged that a crash could still lose.
/// </remarks>
public sealed class TaskRecordObserver : ITaskObserver
{
    private readonly ITaskStore _store;
    private readonly TimeProvider _time;
    private readonly string _worker;
    // RECEIVED and STARTED writes not answered yet, by task id (ordered stores only). A write that succeeds removes
    // itself; the outcome's report takes what is left and waits for it.
    private readonly ConcurrentDictionary<string, Task> _unanswered = new(StringComparer.Ordinal);

    /// <summary>Creates the observer.</summary>
    public TaskRecordObserver(ITaskStore store, TimeProvider time, IOptions<WorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _worker = options.Value.Hostname;
    }

    /// <inheritdoc />
    public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return HandOverAsync(message.Id, new TaskReceived(_time.GetUtcNow(), _worker, TaskDescription.From(message)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return HandOverAsync(message.Id, new TaskStarted(startedAt, _worker), cancellationToken);
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
        // Handed over before the earlier writes are awaited, so it can join their commit.
        var finished = _store.ApplyAsync(message.Id, new TaskFinished(outcome.EndedAt ?? _time.GetUtcNow(), _worker, outcome), cancellationToken);
        if (_unanswered.TryRemove(message.Id, out var earlier))
        {
            await earlier;
        }

        await finished;
    }

    private async ValueTask HandOverAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        var write = _store.ApplyAsync(taskId, transition, cancellationToken);
        if (!_store.AppliesInCallOrder || write.IsCompleted)
        {
            await write;
            return;
        }

        var task = write.AsTask();
        var pending = _unanswered.AddOrUpdate(taskId, task, (_, before) => Task.WhenAll(before, task));
        _ = pending.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                _unanswered.TryRemove(new KeyValuePair<string, Task>(taskId, t));
            }
            else
            {
                // Observed here too, so the failure of a task that never reports an outcome (given back at shutdown) is not left unobserved.
                _ = t.Exception;
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
