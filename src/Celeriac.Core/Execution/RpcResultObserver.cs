using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>
/// The rpc:// result backend, worker side: publishes each outcome to the client's reply queue with the
/// task's correlation id, confirmed by the broker.
/// </summary>
public sealed class RpcResultObserver : ITaskObserver
{
    private readonly IMessagePublisher _publisher;
    private readonly WorkerOptions _options;

    /// <summary>Creates the observer.</summary>
    public RpcResultObserver(IMessagePublisher publisher, IOptions<WorkerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _publisher = publisher;
        _options = options.Value;
    }

    /// <inheritdoc />
    public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_options.TrackStarted || !WantsResult(message))
        {
            return ValueTask.CompletedTask;
        }

        var started = new TaskResult
        {
            TaskId = message.Id,
            State = TaskState.Started,
            Value = CeleryJson.ToElement(new Dictionary<string, object> { ["pid"] = Environment.ProcessId, ["hostname"] = _options.Hostname }),
        };
        return _publisher.PublishAsync(started.ToMessage(message.ReplyTo!, message.CorrelationId, _options.PersistentResults), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(retry);

        // Celery's rpc backend publishes RETRY too; the caller's get() keeps waiting, since RETRY is not ready.
        var result = new TaskResult { TaskId = message.Id, State = TaskState.Retry, Error = retry.Error ?? RetryError(retry), Traceback = retry.Traceback };
        return WantsResult(message)
            ? _publisher.PublishAsync(result.ToMessage(message.ReplyTo!, message.CorrelationId, _options.PersistentResults), cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>Celery's own <c>Retry</c> exception, for a retry that gave no reason.</summary>
    internal static TaskError RetryError(TaskRetry retry) => TaskError.Create("Retry", retry.Describe(), "celery.exceptions");

    /// <inheritdoc />
    public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(outcome);
        return WantsResult(message)
            ? _publisher.PublishAsync(outcome.ToResult(message.Id).ToMessage(message.ReplyTo!, message.CorrelationId, _options.PersistentResults), cancellationToken)
            : ValueTask.CompletedTask;
    }

    private static bool WantsResult(TaskMessage message) => !message.IgnoreResult && !string.IsNullOrEmpty(message.ReplyTo);
}
