using System.Collections.Concurrent;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Keeps deferred deliveries in memory, with the time each was deferred until.</summary>
public sealed class RecordingDeferral(EventLog log) : ITaskDeferral
{
    private readonly ConcurrentQueue<(Delivery Delivery, DateTimeOffset Until)> _deferred = new();

    public IReadOnlyList<(Delivery Delivery, DateTimeOffset Until)> Deferred => _deferred.ToArray();

    public ValueTask DeferAsync(Delivery delivery, DateTimeOffset until, CancellationToken cancellationToken)
    {
        _deferred.Enqueue((delivery, until));
        log.Add("defer");
        return ValueTask.CompletedTask;
    }
}
