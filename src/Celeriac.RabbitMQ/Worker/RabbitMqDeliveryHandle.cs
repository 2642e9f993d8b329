using Celeriac.Core.Transport;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>Acks or rejects one delivery through its channel's <see cref="DeliveryWindow"/>; only the first call counts.</summary>
internal sealed class RabbitMqDeliveryHandle(DeliveryWindow window, ulong deliveryTag) : IDeliveryHandle
{
    private const int Open = 0;
    private const int Ended = 1;
    private const int Settled = 2;
    private int _phase;

    public ValueTask AckAsync(CancellationToken cancellationToken) => Interlocked.Exchange(ref _phase, Settled) switch
    {
        Settled => ValueTask.CompletedTask,
        var before => window.AckAsync(deliveryTag, ranToEnd: before == Ended),
    };

    public ValueTask RejectAsync(bool requeue, CancellationToken cancellationToken) => Interlocked.Exchange(ref _phase, Settled) switch
    {
        Settled => ValueTask.CompletedTask,
        var before => window.RejectAsync(deliveryTag, requeue, ranToEnd: before == Ended),
    };

    // Counted once, and never after the delivery is settled, so the window's count of settling deliveries stays exact.
    public void RunEnded()
    {
        if (Interlocked.CompareExchange(ref _phase, Ended, Open) == Open)
        {
            window.RunEnded();
        }
    }
}
