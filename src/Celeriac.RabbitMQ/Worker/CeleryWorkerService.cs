using System.Collections.Concurrent;
using Celeriac.Core.Control;
using Celeriac.Core.Events;
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
/// The standalone worker: consumes the task queues and the node's control queue and hands each delivery
/// to the <see cref="TaskProcessor"/>. On stop it shuts down warmly: it stops consuming, returns tasks that
/// have not started to the queue, lets running tasks finish within <see cref="WorkerOptions.ShutdownTimeout"/>,
/// then cancels the rest (their messages are requeued, not failed).
/// </summary>
public sealed class CeleryWorkerService : BackgroundService
{
    private static readonly TimeSpan s_settleAfterAbort = TimeSpan.FromSeconds(5);

    private readonly RabbitMqConnection _connection;
    private readonly TaskProcessor _processor;
    private readonly ControlDispatcher _control;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly WorkerState _state;
    private readonly TimeProvider _time;
    private readonly WorkerOptions _options;
    private readonly ILogger<CeleryWorkerService> _logger;
    private readonly ConcurrentDictionary<Task, bool> _executions = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    /// <summary>Creates the worker.</summary>
    public CeleryWorkerService(RabbitMqConnection connection, TaskProcessor processor, ControlDispatcher control, WorkerHeartbeat heartbeat,
        WorkerState state, TimeProvider time, IOptions<WorkerOptions> options, ILogger<CeleryWorkerService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _processor = processor;
        _control = control;
        _heartbeat = heartbeat;
        _state = state;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when the worker consumes (and fails if it could not start).</summary>
    public Task Ready => _ready.Task;

    /// <inheritdoc />
    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IChannel? tasks = null;
        IChannel? control = null;
        var consumerTags = new List<string>();
        try
        {
            var connection = await _connection.GetAsync(stoppingToken);
            await DeclareTopologyAsync(stoppingToken);

            control = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
            var controlQueue = await CeleryTopology.DeclareNodeControlQueueAsync(control, _options.Hostname, stoppingToken);
            var controlConsumer = new AsyncEventingBasicConsumer(control);
            controlConsumer.ReceivedAsync += (_, e) => OnControlAsync(e, stoppingToken);
            await control.BasicConsumeAsync(controlQueue, autoAck: true, controlConsumer, stoppingToken);

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
            await _heartbeat.StartAsync(stoppingToken);
            Log.WorkerReady(_logger, _options.Hostname);
            _ready.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken);
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
            await ShutdownAsync(tasks, control, consumerTags);
        }
    }

    private async Task DeclareTopologyAsync(CancellationToken cancellationToken)
    {
        // A dedicated channel: a declare that conflicts with an existing entity closes its channel.
        await using var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken);
        foreach (var queue in _options.Queues)
        {
            await CeleryTopology.DeclareTaskQueueAsync(channel, queue, cancellationToken);
            await CeleryTopology.DeclareParkingQueueAsync(channel, queue, cancellationToken);
        }

        await CeleryTopology.DeclareEventExchangeAsync(channel, cancellationToken);
        await CeleryTopology.DeclareControlExchangesAsync(channel, cancellationToken);
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
        // prefetch window overlap and their durable writes share commits.
        Track(ProcessAsync(delivery, prefetch));
        return Task.CompletedTask;
    }

    private async Task ProcessAsync(Delivery delivery, PrefetchController prefetch)
    {
        try
        {
            if (_stopping)
            {
                // Arrived while consumers were being cancelled: give it straight back.
                await delivery.Handle.RejectAsync(requeue: true, CancellationToken.None);
                return;
            }

            var request = await _processor.ReceiveAsync(delivery, CancellationToken.None);
            if (request is null)
            {
                return;
            }

            if (_stopping)
            {
                // Received while the warm shutdown swept the reserved tasks: back to the queue with the rest.
                request.Stop(TaskStopReason.Shutdown);
            }

            var heldForEta = request.Message.Eta is { } eta && eta > _time.GetUtcNow();
            if (heldForEta)
            {
                await prefetch.HoldAsync();
            }

            await ExecuteAsync(request, heldForEta ? prefetch : null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.DeliveryFailed(_logger, delivery.Queue, ex);
            await TryRequeueAsync(delivery);
        }
    }

    private async Task ExecuteAsync(TaskRequest request, PrefetchController? heldForEta)
    {
        try
        {
            await _processor.ExecuteAsync(request, _abort.Token);
        }
        finally
        {
            if (heldForEta is not null)
            {
                await heldForEta.ReleaseAsync();
            }
        }
    }

    private async Task OnControlAsync(BasicDeliverEventArgs e, CancellationToken stoppingToken)
    {
        try
        {
            await _control.HandleAsync(AmqpMessageMapper.FromDelivery(e.BasicProperties, e.Body), stoppingToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ControlFailed(_logger, ex);
        }
    }

    private Task OnConsumerCancelled(string queue)
    {
        if (!_stopping)
        {
            Log.ConsumerCancelled(_logger, queue);
        }

        return Task.CompletedTask;
    }

    private void Track(Task execution)
    {
        _executions[execution] = true;
        _ = execution.ContinueWith(t => _executions.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ShutdownAsync(IChannel? tasks, IChannel? control, List<string> consumerTags)
    {
        _stopping = true;
        if (tasks is { IsOpen: true })
        {
            foreach (var tag in consumerTags)
            {
                await IgnoreClosedAsync(() => tasks.BasicCancelAsync(tag));
            }
        }

        // Not started yet: straight back to the queue, so other workers can take them now.
        foreach (var reserved in _state.Reserved)
        {
            reserved.Stop(TaskStopReason.Shutdown);
        }

        var running = _executions.Keys.ToArray();
        if (running.Length > 0)
        {
            Log.WarmShutdown(_logger, _options.ShutdownTimeout.TotalSeconds, _state.ActiveCount);
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, Task.Delay(_options.ShutdownTimeout, _time)) != all)
            {
                Log.ShutdownGraceExpired(_logger, _state.ActiveCount);
                await _abort.CancelAsync();
                await Task.WhenAny(all, Task.Delay(s_settleAfterAbort, _time));
            }
        }

        await _heartbeat.StopAsync(CancellationToken.None);
        await CloseAsync(tasks);
        await CloseAsync(control);
        Log.WorkerStopped(_logger);
    }

    private static async Task TryRequeueAsync(Delivery delivery)
    {
        try
        {
            await delivery.Handle.RejectAsync(requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (ChannelClosing.IsConnectionGone(ex))
        {
            // The channel is gone; the broker redelivers the message.
        }
    }

    private static Task CloseAsync(IChannel? channel) => channel?.CloseQuietlyAsync() ?? Task.CompletedTask;

    private static async Task IgnoreClosedAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ChannelClosing.IsConnectionGone(ex))
        {
            // The connection is already gone; the broker has taken the messages back.
        }
    }
}
