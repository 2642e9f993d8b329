using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Topology;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.RabbitMQ.Events;

/// <summary>
/// Receives Celery events from the <c>celeryev</c> exchange on a private auto-delete queue, like Celery's
/// <c>app.events.Receiver</c>: single events and batched lists alike, from Celery and Celeriac workers.
/// </summary>
public sealed class CeleryEventReceiver(RabbitMqConnection connection, CeleryControl control)
{
    /// <summary>
    /// Binds a queue and starts receiving; events sent from now on are kept for the subscription. With
    /// <paramref name="wakeup"/> every worker is asked for a heartbeat (the <c>heartbeat</c> command), so a
    /// new monitor sees live workers at once.
    /// </summary>
    public async Task<EventSubscription> SubscribeAsync(string routingKey = "#", bool wakeup = true, CancellationToken cancellationToken = default)
    {
        var channel = await connection.CreateChannelAsync(confirms: false, cancellationToken);
        try
        {
            var queue = await CeleryTopology.DeclareEventReceiverQueueAsync(channel, routingKey, cancellationToken);
            var subscription = new EventSubscription(channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += subscription.OnDeliveryAsync;
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken);
            if (wakeup)
            {
                await control.BroadcastAsync("heartbeat", null, reply: false, cancellationToken: cancellationToken);
            }

            return subscription;
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }
}

/// <summary>A live event subscription; dispose it to unbind.</summary>
public sealed class EventSubscription : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly Channel<JsonElement> _events = Channel.CreateBounded<JsonElement>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    internal EventSubscription(IChannel channel) => _channel = channel;

    /// <summary>The events as JSON objects, in arrival order, until cancelled.</summary>
    public async IAsyncEnumerable<JsonElement> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_events.Reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _channel.CloseQuietlyAsync();
    }

    internal Task OnDeliveryAsync(object sender, BasicDeliverEventArgs e)
    {
        if (e.BasicProperties.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }

        try
        {
            using var document = JsonDocument.Parse(e.Body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                // A prefork Celery worker batches task events as a list under 'task.multi'.
                foreach (var item in root.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object))
                {
                    _events.Writer.TryWrite(item.Clone());
                }
            }
            else if (root.ValueKind == JsonValueKind.Object)
            {
                _events.Writer.TryWrite(root.Clone());
            }
        }
        catch (JsonException)
        {
            // Not an event anyone can read; monitors skip it as Celery's receiver does.
        }

        return Task.CompletedTask;
    }
}
