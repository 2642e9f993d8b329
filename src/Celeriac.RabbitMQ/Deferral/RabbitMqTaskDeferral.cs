using System.Collections.Concurrent;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Topology;

namespace Celeriac.RabbitMQ.Deferral;

/// <summary>
/// Defers task messages with RabbitMQ alone (no plugin): delay levels of 1, 2, 4, ... seconds, each a durable queue
/// whose messages all share the level's TTL, so none waits behind a longer one. A message rests in the longest level
/// that does not overshoot its ETA, then dead-letters back to its queue through the default exchange with its own
/// routing key; the worker that receives it either runs it, holds it (within the hold limit) or defers it again to a
/// shorter level. A delay of d seconds takes about log2(d) hops and arrives at most a second late.
/// </summary>
internal sealed class RabbitMqTaskDeferral(RabbitMqConnection connection, IMessagePublisher publisher, TimeProvider time) : ITaskDeferral
{
    private readonly ConcurrentDictionary<int, Lazy<Task>> _declared = new();

    public async ValueTask DeferAsync(Delivery delivery, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var level = DelayLevels.For(until - time.GetUtcNow());
        await _declared.GetOrAdd(level, l => new Lazy<Task>(() => DeclareAsync(l))).Value.WaitAsync(cancellationToken);

        // Durable, and without the death history of earlier hops or a per-message TTL that would cut the level's short.
        var headers = delivery.Message.Headers
            .Where(h => !h.Key.StartsWith("x-death", StringComparison.Ordinal) && !h.Key.StartsWith("x-first-death", StringComparison.Ordinal)
                        && !h.Key.StartsWith("x-last-death", StringComparison.Ordinal))
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        var copy = delivery.Message with { Headers = headers, DeliveryMode = DeliveryModes.Persistent, Expiration = null };
        await publisher.PublishAsync(new OutgoingMessage(DelayLevels.Name(level), delivery.Queue, copy), cancellationToken);
    }

    private async Task DeclareAsync(int level)
    {
        try
        {
            await using var channel = await connection.CreateChannelAsync(confirms: false, CancellationToken.None);
            await CeleryTopology.DeclareDelayLevelAsync(channel, DelayLevels.Name(level), DelayLevels.Duration(level), CancellationToken.None);
        }
        catch
        {
            // Declared again on the next deferral rather than never.
            _declared.TryRemove(level, out _);
            throw;
        }
    }
}
