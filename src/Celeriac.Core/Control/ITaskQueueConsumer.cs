namespace Celeriac.Core.Control;

/// <summary>
/// The worker's task-queue consumer as remote control sees it: which queues it consumes, and starting or stopping
/// one at runtime (Celery's <c>add_consumer</c>, <c>cancel_consumer</c>, <c>inspect active_queues</c>). A transport's
/// worker implements it; without one, <c>active_queues</c> reports the configured queues and the other two
/// commands answer that this host cannot change them.
/// </summary>
public interface ITaskQueueConsumer
{
    /// <summary>The queues consumed now.</summary>
    IReadOnlyList<ConsumedQueue> Queues { get; }

    /// <summary>
    /// Declares the queue (and its exchange and binding) as the worker declares its own, and consumes it. Consuming a
    /// queue already consumed does nothing.
    /// </summary>
    ValueTask AddQueueAsync(ConsumedQueue queue, CancellationToken cancellationToken);

    /// <summary>Stops consuming the queue (the queue itself stays); a queue not consumed is ignored.</summary>
    ValueTask CancelQueueAsync(string queue, CancellationToken cancellationToken);
}
