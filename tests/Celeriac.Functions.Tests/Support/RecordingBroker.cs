using System.Collections.Concurrent;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;

namespace Celeriac.Functions.Tests.Support;

/// <summary>The broker seams of a Functions app without a broker: what the core sends and publishes is recorded.</summary>
public sealed class RecordingBroker : ITaskBroker, IMessagePublisher, IParkingLot, ITaskDeferral
{
    public ConcurrentQueue<(string Queue, TaskMessage Message)> Sent { get; } = new();

    public ConcurrentQueue<(string Id, bool Terminate)> Revokes { get; } = new();

    public ConcurrentQueue<OutgoingMessage> Published { get; } = new();

    public ConcurrentQueue<string> Parked { get; } = new();

    public ConcurrentQueue<DateTimeOffset> Deferred { get; } = new();

    public ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
    {
        Sent.Enqueue((queue, message));
        return ValueTask.CompletedTask;
    }

    public ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken)
    {
        Revokes.Enqueue((taskId, terminate));
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Published.Enqueue(message);
        return ValueTask.CompletedTask;
    }

    public ValueTask ParkAsync(Delivery delivery, string reason, CancellationToken cancellationToken)
    {
        Parked.Enqueue(reason);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeferAsync(Delivery delivery, DateTimeOffset until, CancellationToken cancellationToken)
    {
        Deferred.Enqueue(until);
        return ValueTask.CompletedTask;
    }
}
