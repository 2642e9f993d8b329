using Celeriac.Core.Events;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution;

/// <summary>Sends the Celery task events (<c>task-received</c>, <c>task-started</c>, outcomes) for each change.</summary>
public sealed class EventPublishingObserver : ITaskObserver
{
    private readonly EventDispatcher _events;

    /// <summary>Creates the observer.</summary>
    public EventPublishingObserver(EventDispatcher events) => _events = events;

    /// <inheritdoc />
    public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) =>
        _events.SendTaskEventAsync(TaskEvents.Received(message), cancellationToken);

    /// <inheritdoc />
    public ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken) =>
        _events.SendTaskEventAsync(TaskEvents.Started(message, startedAt), cancellationToken);

    /// <inheritdoc />
    public ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken) =>
        _events.SendTaskEventAsync(TaskEvents.Retried(message, retry), cancellationToken);

    /// <inheritdoc />
    public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken) =>
        _events.SendTaskEventAsync(TaskEvents.Finished(message, outcome), cancellationToken);
}
