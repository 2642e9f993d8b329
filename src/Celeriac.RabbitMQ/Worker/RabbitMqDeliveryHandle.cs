using Celeriac.Core.Transport;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>Acks or rejects one delivery on the channel it came from; only the first call counts.</summary>
internal sealed class RabbitMqDeliveryHandle(IChannel channel, ulong deliveryTag) : IDeliveryHandle
{
    private int _settled;

    public ValueTask AckAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _settled, 1) == 0 ? channel.BasicAckAsync(deliveryTag, multiple: false, CancellationToken.None) : ValueTask.CompletedTask;

    public ValueTask RejectAsync(bool requeue, CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _settled, 1) == 0 ? channel.BasicRejectAsync(deliveryTag, requeue, CancellationToken.None) : ValueTask.CompletedTask;
}
