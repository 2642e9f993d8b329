using Celeriac.Core;
using Celeriac.Core.Control;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
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
/// A worker node's presence on the broker: it consumes the node's pidbox (remote control: ping, revoke with
/// terminate, inspect, ...) and sends worker-online, heartbeats and worker-offline. The standalone worker runs it
/// beside its queue consumer; the Azure Functions app runs it alone, since its trigger delivers the tasks.
/// </summary>
/// <remarks>Registered before the queue consumer, so the host stops it after the warm shutdown: worker-offline is the last word.</remarks>
public sealed class CeleryControlListener : BackgroundService
{
    private readonly RabbitMqConnection _connection;
    private readonly ControlDispatcher _control;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly WorkerOptions _options;
    private readonly ILogger<CeleryControlListener> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the listener.</summary>
    public CeleryControlListener(RabbitMqConnection connection, ControlDispatcher control, WorkerHeartbeat heartbeat, IOptions<WorkerOptions> options,
        ILogger<CeleryControlListener> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _control = control;
        _heartbeat = heartbeat;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when the node answers remote control and has said it is online (and fails if it could not start).</summary>
    public Task Ready => _ready.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IChannel? channel = null;
        try
        {
            var connection = await _connection.GetAsync(stoppingToken);
            await using (var declaring = await _connection.CreateChannelAsync(confirms: false, stoppingToken))
            {
                // A dedicated channel: a declare that conflicts with an existing entity closes its channel.
                await CeleryTopology.DeclareEventExchangeAsync(declaring, stoppingToken);
                await CeleryTopology.DeclareControlExchangesAsync(declaring, stoppingToken);
            }

            channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
            var queue = await CeleryTopology.DeclareNodeControlQueueAsync(channel, _options.Hostname, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) => OnControlAsync(e, stoppingToken);
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, stoppingToken);
            await _heartbeat.StartAsync(stoppingToken);
            _ready.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
        catch (Exception ex)
        {
            _ready.TrySetException(ex);
            throw;
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
            await _heartbeat.StopAsync(CancellationToken.None);
            if (channel is not null)
            {
                await channel.CloseQuietlyAsync();
            }
        }
    }

    private async Task OnControlAsync(BasicDeliverEventArgs e, CancellationToken stoppingToken)
    {
        try
        {
            await _control.HandleAsync(AmqpMessageMapper.FromDelivery(e.BasicProperties, e.Body), stoppingToken);
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            Log.ControlFailed(_logger, ex);
        }
    }
}
