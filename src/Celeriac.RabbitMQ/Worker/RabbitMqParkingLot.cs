using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Topology;
using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// Parks a message in <c>{queue}_error</c>: a confirmed copy with all its properties, plus headers that
/// say why, when, by whom and where it came from, so it can be inspected and replayed.
/// </summary>
internal sealed class RabbitMqParkingLot(IMessagePublisher publisher, TimeProvider time, ILogger<RabbitMqParkingLot> logger) : IParkingLot
{
    /// <summary>Header: why the message was parked.</summary>
    public const string ReasonHeader = "x-celeriac-parked-reason";

    public async ValueTask ParkAsync(Delivery delivery, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var parkingQueue = delivery.Queue + CeleryTopology.ParkingSuffix;
        var headers = new Dictionary<string, object?>(delivery.Message.Headers, StringComparer.Ordinal)
        {
            [ReasonHeader] = reason,
            ["x-celeriac-parked-at"] = CeleryTime.Format(time.GetUtcNow()),
            ["x-celeriac-original-queue"] = delivery.Queue,
            ["x-celeriac-original-exchange"] = delivery.Exchange,
            ["x-celeriac-original-routing-key"] = delivery.RoutingKey,
        };
        var copy = delivery.Message with { Headers = headers, DeliveryMode = DeliveryModes.Persistent };
        await publisher.PublishAsync(new OutgoingMessage("", parkingQueue, copy), cancellationToken);
        Log.Parked(logger, delivery.Queue, parkingQueue, reason);
    }
}
