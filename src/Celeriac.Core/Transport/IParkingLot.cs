namespace Celeriac.Core.Transport;

/// <summary>
/// Keeps messages that cannot be processed (undecodable, unknown content type, unregistered task) where a
/// user can inspect and replay them, instead of dropping them.
/// </summary>
public interface IParkingLot
{
    /// <summary>
    /// Stores a copy of the delivered message with the reason; returns once it is stored durably. The caller
    /// settles the original delivery afterwards.
    /// </summary>
    ValueTask ParkAsync(Delivery delivery, string reason, CancellationToken cancellationToken);
}
