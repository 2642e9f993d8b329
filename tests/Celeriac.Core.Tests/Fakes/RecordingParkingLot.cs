using System.Collections.Concurrent;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Keeps parked deliveries in memory.</summary>
public sealed class RecordingParkingLot(EventLog log) : IParkingLot
{
    private readonly ConcurrentQueue<(Delivery Delivery, string Reason)> _parked = new();

    public IReadOnlyList<(Delivery Delivery, string Reason)> Parked => _parked.ToArray();

    public ValueTask ParkAsync(Delivery delivery, string reason, CancellationToken cancellationToken)
    {
        _parked.Enqueue((delivery, reason));
        log.Add("park");
        return ValueTask.CompletedTask;
    }
}
