using Celeriac.Core.Control;
using Celeriac.Core.Execution;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Publishing;
using Celeriac.RabbitMQ.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// The standalone worker's task-queue consumers, all on one channel with one prefetch window: the queues of
/// <see cref="WorkerOptions.Queues"/> from the start, and those remote control adds (<c>add_consumer</c>) or takes away
/// (<c>cancel_consumer</c>) while it runs. Each delivery goes to the <see cref="WorkerLifecycle"/>. Cancelling a queue
/// only stops new deliveries: the channel stays open, so the tasks already delivered from it still run and are acknowledged.
/// </summary>
public sealed class RabbitMqTaskQueueConsumer : ITaskQueueConsumer
{
    private readonly RabbitMqConnection _connection;
    private readonly WorkerLifecycle _lifecycle;
    private readonly ILogger<RabbitMqTaskQueueConsumer> _logger;
    // Serialises start, add, cancel, stop and prefetch changes; never taken on a delivery.
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<Subscription> _subscriptions;
    private volatile ConsumedQueue[] _queues;
    private ushort _prefetchCount;
    private IChannel? _channel;
    private DeliveryWindow? _prefetch;
    private bool _stopped;

    /// <summary>Creates the consumer of <see cref="WorkerOptions.Queues"/>; it consumes once the worker starts it.</summary>
    public RabbitMqTaskQueueConsumer(RabbitMqConnection connection, WorkerLifecycle lifecycle, IOptions<WorkerOptions> options,
        ILogger<RabbitMqTaskQueueConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _lifecycle = lifecycle;
        _logger = logger;
        _prefetchCount = options.Value.PrefetchCount;
        _subscriptions = options.Value.Queues.Distinct(StringComparer.Ordinal).Select(q => new Subscription(ConsumedQueue.Named(q))).ToList();
        _queues = _subscriptions.Select(s => s.Queue).ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<ConsumedQueue> Queues => _queues;

    /// <summary>The broker prefetch now (concurrency x multiplier, without the tasks held for their ETA); 0 means unlimited.</summary>
    internal ushort PrefetchCount => _prefetchCount;

    /// <inheritdoc />
    public async ValueTask AddQueueAsync(ConsumedQueue queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_stopped)
            {
                throw new InvalidOperationException("The worker is shutting down.");
            }

            if (_subscriptions.Any(s => s.Queue.Name == queue.Name))
            {
                return;
            }

            await DeclareAsync([queue], cancellationToken);
            var subscription = new Subscription(queue);
            if (_channel is not null)
            {
                await ConsumeAsync(_channel, _prefetch!, subscription, cancellationToken);
            }

            _subscriptions.Add(subscription);
            Publish();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask CancelQueueAsync(string queue, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_subscriptions.Find(s => s.Queue.Name == queue) is not { } subscription)
            {
                return;
            }

            _subscriptions.Remove(subscription);
            Publish();
            subscription.CancelledHere = true;
            if (subscription.ConsumerTag is { } tag && _channel is { IsOpen: true } channel)
            {
                // basic.cancel, not a channel close: deliveries already made stay unacknowledged on this channel until they settle.
                await channel.BasicCancelAsync(tag, noWait: false, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Declares the queues, opens the consumer channel with the prefetch window and consumes every queue.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var connection = await _connection.GetAsync(cancellationToken);
            await DeclareAsync(_subscriptions.Select(s => s.Queue), cancellationToken);
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            _channel = channel;
            _prefetch = new DeliveryWindow(channel, _prefetchCount);
            if (_prefetch.LimitsPrefetch)
            {
                // Global (per channel), as kombu sets it on RabbitMQ >= 3.3: one window for all the queues, and the only
                // kind of QoS the broker lets DeliveryWindow change for consumers that already exist.
                await channel.BasicQosAsync(0, _prefetchCount, global: true, cancellationToken);
            }

            foreach (var subscription in _subscriptions)
            {
                await ConsumeAsync(channel, _prefetch, subscription, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sets the prefetch to follow a resized pool (Celery's <c>_update_prefetch_count</c>); unlimited stays unlimited.</summary>
    internal async Task SetPrefetchCountAsync(ushort prefetchCount, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_prefetchCount == 0)
            {
                return;
            }

            _prefetchCount = Math.Max((ushort)1, prefetchCount);
            if (_prefetch is not null)
            {
                await _prefetch.RebaseAsync(_prefetchCount);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops every consumer (the warm shutdown follows); later <c>add_consumer</c> commands are refused.</summary>
    internal async Task StopConsumingAsync()
    {
        await _lock.WaitAsync();
        try
        {
            _stopped = true;
            if (_channel is not { IsOpen: true } channel)
            {
                return;
            }

            foreach (var subscription in _subscriptions.Where(s => s.ConsumerTag is not null))
            {
                try
                {
                    await channel.BasicCancelAsync(subscription.ConsumerTag!);
                }
                catch (Exception ex) when (ChannelClosing.IsConnectionGone(ex))
                {
                    // The connection is already gone; the broker has taken the messages back.
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Closes the consumer channel, once every delivery on it is settled.</summary>
    internal async Task CloseAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (_channel is not null)
            {
                await _channel.CloseQuietlyAsync();
                _channel = null;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task DeclareAsync(IEnumerable<ConsumedQueue> queues, CancellationToken cancellationToken)
    {
        // A dedicated channel: a declare that conflicts with an existing entity closes its channel, not the consumers'.
        await using var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken);
        foreach (var queue in queues)
        {
            await CeleryTopology.DeclareTaskQueueAsync(channel, queue, cancellationToken);
            await CeleryTopology.DeclareParkingQueueAsync(channel, queue.Name, cancellationToken);
        }
    }

    private async Task ConsumeAsync(IChannel channel, DeliveryWindow window, Subscription subscription, CancellationToken cancellationToken)
    {
        var name = subscription.Queue.Name;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) => OnDeliveryAsync(window, name, e);
        consumer.UnregisteredAsync += (_, _) => OnUnregistered(subscription);
        subscription.ConsumerTag = await channel.BasicConsumeAsync(name, autoAck: false, consumer, cancellationToken);
    }

    private Task OnDeliveryAsync(DeliveryWindow window, string queue, BasicDeliverEventArgs e)
    {
        // Tracked first, so no batched ack of a later delivery can cover this one before it is settled.
        var handle = window.Track(e.DeliveryTag);
        var delivery = new Delivery
        {
            Message = AmqpMessageMapper.FromDelivery(e.BasicProperties, e.Body),
            Handle = handle,
            Queue = queue,
            Exchange = e.Exchange,
            RoutingKey = e.RoutingKey,
            Redelivered = e.Redelivered,
        };

        // Started when the window takes it in (at once while fewer than concurrency x multiplier are reserved or running),
        // not awaited: the processor takes the delivery's place in line before its first await, so tasks run in delivery
        // order, while the waits (record writes, confirms) of deliveries overlap and their durable writes share commits.
        // The lifecycle tracks it.
        window.Admit(() => _ = _lifecycle.ProcessAsync(delivery, window));
        return Task.CompletedTask;
    }

    private Task OnUnregistered(Subscription subscription)
    {
        // Our own basic.cancel (cancel_consumer, shutdown) ends here too; only the broker's own cancel is news.
        if (!subscription.CancelledHere && !_stopped && !_lifecycle.IsStopping)
        {
            Log.ConsumerCancelled(_logger, subscription.Queue.Name);
        }

        return Task.CompletedTask;
    }

    private void Publish() => _queues = _subscriptions.Select(s => s.Queue).ToArray();

    private sealed class Subscription(ConsumedQueue queue)
    {
        public ConsumedQueue Queue { get; } = queue;

        public string? ConsumerTag { get; set; }

        public bool CancelledHere { get; set; }
    }
}
