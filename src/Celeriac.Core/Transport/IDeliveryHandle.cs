namespace Celeriac.Core.Transport;

/// <summary>
/// Settles one delivery. Exactly one of the methods is called, once; later calls are ignored.
/// </summary>
public interface IDeliveryHandle
{
    /// <summary>The message is done with: the broker forgets it.</summary>
    ValueTask AckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The message was not processed. With <paramref name="requeue"/> the broker delivers it again
    /// (to this or another worker); without it the broker drops it (or dead-letters it).
    /// </summary>
    ValueTask RejectAsync(bool requeue, CancellationToken cancellationToken);

    /// <summary>
    /// The task's run is over: only reporting its outcome and settling remain (durable writes, a confirmed result, then
    /// <see cref="AckAsync"/>). A transport whose prefetch window counts unacknowledged messages may let the next message
    /// in now, so the prefetch limits the tasks a worker has reserved or running, as Celery's does, and not the ones it
    /// is still settling. It changes nothing about when the message is acknowledged. The default does nothing.
    /// </summary>
    void RunEnded()
    {
    }
}
