using Celeriac.Core.Transport;

namespace Celeriac.Functions.Execution;

/// <summary>
/// Settles a RabbitMQ trigger's delivery the only ways an isolated function can: by returning (the listener acks)
/// or by throwing (the listener republishes a copy with <c>x-ms-rabbitmq-requeuecount</c> + 1, and rejects the
/// message at 5). The processor's settle call is recorded here; the function turns it into its return or throw.
/// </summary>
internal sealed class TriggerSettlement : IDeliveryHandle
{
    private int _state;

    /// <summary>How the processor settled the delivery.</summary>
    public TriggerSettlementKind Kind => (TriggerSettlementKind)Volatile.Read(ref _state);

    public ValueTask AckAsync(CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _state, (int)TriggerSettlementKind.Acked, (int)TriggerSettlementKind.None);
        return ValueTask.CompletedTask;
    }

    public ValueTask RejectAsync(bool requeue, CancellationToken cancellationToken)
    {
        // The trigger cannot drop a message; a reject without requeue (nothing the processor sends today) returns,
        // which the listener acks.
        Interlocked.CompareExchange(ref _state, (int)(requeue ? TriggerSettlementKind.Requeued : TriggerSettlementKind.Acked), (int)TriggerSettlementKind.None);
        return ValueTask.CompletedTask;
    }
}
