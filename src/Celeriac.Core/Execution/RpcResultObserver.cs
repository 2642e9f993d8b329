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
    public ValueTask OnStartedAsync(TaskMessage message, CancellationToken cancellationToken)
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
