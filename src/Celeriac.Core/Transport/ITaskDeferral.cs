namespace Celeriac.Core.Transport;

/// <summary>
/// Keeps a task message durably until about a given time and then delivers it again to the queue it came from,
/// so a worker never holds a far-future ETA in memory, unacknowledged, for long (RabbitMQ closes a channel
/// whose delivery stays unacknowledged past its consumer timeout, 30 minutes by default), and an Azure
/// Functions invocation never waits for one.
/// </summary>
public interface ITaskDeferral
{
    /// <summary>
    /// Stores a copy of the delivered message to come back to <see cref="Delivery.Queue"/> at or a little before
    /// <paramref name="until"/>; returns once the copy is stored durably. The caller then acknowledges the original.
    /// </summary>
    ValueTask DeferAsync(Delivery delivery, DateTimeOffset until, CancellationToken cancellationToken);
}
