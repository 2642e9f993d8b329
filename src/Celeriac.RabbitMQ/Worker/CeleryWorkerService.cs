using Celeriac.Core.Execution;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Publishing;
using Celeriac.RabbitMQ.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// The standalone worker's queue consumer: it consumes the task queues and hands each delivery to the
/// <see cref="WorkerLifecycle"/>. On stop it cancels its consumers, then the lifecycle performs the warm shutdown
/// (tasks not started go back to the queue, running ones get <see cref="WorkerOptions.ShutdownTimeout"/>).
/// </summary>
public sealed class CeleryWorkerService : BackgroundService
{
    private readonly RabbitMqConnection _connection;
    private readonly WorkerLifecycle _lifecycle;
    private readonly CeleryControlListener _control;
    private readonly WorkerOptions _options;
    private readonly ILogger<CeleryWorkerService> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the worker.</summary>
    public CeleryWorkerService(RabbitMqConnection connection, WorkerLifecycle lifecycle, CeleryControlListener control, IOptions<WorkerOptions> options,
        ILogger<CeleryWorkerService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _lifecycle = lifecycle;
        _control = control;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when the worker consumes and answers remote control (and fails if it could not start).</summary>
    public Task Ready => _ready.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IChannel? tasks = null;
        var consumerTags = new List<string>();
        try
        {
            var connection = await _connection.GetAsync(stoppingToken);
            await DeclareQueuesAsync(stoppingToken);

            tasks = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
            var prefetch = new PrefetchController(tasks, _options.PrefetchCount);
            if (prefetch.Enabled)
            {
                // Global (per channel), as kombu sets it on RabbitMQ >= 3.3: one window for all the queues, and the only
                // kind of QoS the broker lets PrefetchController change for consumers that already exist.
                await tasks.BasicQosAsync(0, _options.PrefetchCount, global: true, stoppingToken);
            }

            foreach (var queue in _options.Queues)
            {
                var consumer = new AsyncEventingBasicConsumer(tasks);
                consumer.ReceivedAsync += (_, e) => OnDeliveryAsync(tasks, queue, prefetch, e);
                consumer.UnregisteredAsync += (_, _) => OnConsumerCancelled(queue);
                consumerTags.Add(await tasks.BasicConsumeAsync(queue, autoAck: false, consumer, stoppingToken));
            }

            Log.Consuming(_logger, string.Join(", ", _options.Queues), _options.PrefetchCount, _options.Concurrency);
            await _control.Ready.WaitAsync(stoppingToken);
            Log.WorkerReady(_logger, _options.Hostname);
            _ready.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop: the warm shutdown below.
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
            await CancelConsumersAsync(tasks, consumerTags);
            await _lifecycle.ShutdownAsync();
            if (tasks is not null)
            {
                await tasks.CloseQuietlyAsync();
            }

            Log.WorkerStopped(_logger);
        }
    }

    private async Task DeclareQueuesAsync(CancellationToken cancellationToken)
    {
        // A dedicated channel: a declare that conflicts with an existing entity closes its channel.
        await using var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken);
        foreach (var queue in _options.Queues)
        {
            await CeleryTopology.DeclareTaskQueueAsync(channel, queue, cancellationToken);
            await CeleryTopology.DeclareParkingQueueAsync(channel, queue, cancellationToken);
        }
    }

    private Task OnDeliveryAsync(IChannel channel, string queue, PrefetchController prefetch, BasicDeliverEventArgs e)
    {
        var delivery = new Delivery
        {
            Message = AmqpMessageMapper.FromDelivery(e.BasicProperties, e.Body),
            Handle = new RabbitMqDeliveryHandle(channel, e.DeliveryTag),
            Queue = queue,
            Exchange = e.Exchange,
            RoutingKey = e.RoutingKey,
            Redelivered = e.Redelivered,
        };

        // Started here, not awaited: the processor takes the delivery's place in line before its first await,
        // so tasks run in delivery order, while the waits (record writes, confirms) of deliveries in the
        // prefetch window overlap and their durable writes share commits. The lifecycle tracks it.
        _ = _lifecycle.ProcessAsync(delivery, prefetch);
        return Task.CompletedTask;
    }

    private Task OnConsumerCancelled(string queue)
    {
        if (!_lifecycle.IsStopping)
        {
            Log.ConsumerCancelled(_logger, queue);
        }

        return Task.CompletedTask;
    }

    private static async Task CancelConsumersAsync(IChannel? tasks, List<string> consumerTags)
    {
        if (tasks is not { IsOpen: true })
        {
            return;
        }

        foreach (var tag in consumerTags)
        {
            try
            {
                await tasks.BasicCancelAsync(tag);
            }
            catch (Exception ex) when (ChannelClosing.IsConnectionGone(ex))
            {
                // The connection is already gone; the broker has taken the messages back.
            }
        }
    }
}
