using Celeriac.Core.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.RabbitMQ.Worker;

/// <summary>
/// The standalone worker's queue consumer: it consumes the task queues and hands each delivery to the
/// <see cref="WorkerLifecycle"/>. On stop it cancels its consumers, then the lifecycle performs the warm shutdown
/// (tasks not started go back to the queue, running ones get <see cref="WorkerOptions.ShutdownTimeout"/>).
/// </summary>
public sealed class CeleryWorkerService : BackgroundService
{
    private readonly RabbitMqTaskQueueConsumer _consumer;
    private readonly WorkerLifecycle _lifecycle;
    private readonly CeleryControlListener _control;
    private readonly WorkerOptions _options;
    private readonly ILogger<CeleryWorkerService> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the worker.</summary>
    public CeleryWorkerService(RabbitMqTaskQueueConsumer consumer, WorkerLifecycle lifecycle, CeleryControlListener control, IOptions<WorkerOptions> options,
        ILogger<CeleryWorkerService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _consumer = consumer;
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
        try
        {
            await _consumer.StartAsync(stoppingToken);
            Log.Consuming(_logger, string.Join(", ", _consumer.Queues.Select(q => q.Name)), _consumer.PrefetchCount, _options.Concurrency);
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
            await _consumer.StopConsumingAsync();
            await _lifecycle.ShutdownAsync();
            await _consumer.CloseAsync();
            Log.WorkerStopped(_logger);
        }
    }
}
