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
}
