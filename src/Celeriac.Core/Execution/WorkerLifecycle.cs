using System.Collections.Concurrent;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>
/// The life of a worker around its deliveries, whatever delivers them (the standalone worker's queue consumer,
/// an Azure Functions trigger): every delivery is tracked while it is in flight, and <see cref="ShutdownAsync"/>
/// performs Celery's warm shutdown: reserved tasks go straight back to the queue, running ones get
/// <see cref="WorkerOptions.ShutdownTimeout"/> to finish, then are cancelled and requeued (never failed).
/// </summary>
public sealed class WorkerLifecycle : IDisposable
{
    private static readonly TimeSpan s_settleAfterAbort = TimeSpan.FromSeconds(5);

    private readonly TaskProcessor _processor;
    private readonly WorkerState _state;
    private readonly TimeProvider _time;
    private readonly WorkerOptions _options;
    private readonly ILogger<WorkerLifecycle> _logger;
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private readonly FailureBackoff _backoff;
    // Signalled only when the grace period is over: a running task is cancelled and its message requeued.
    private readonly CancellationTokenSource _abort = new();
    // Signalled when the warm shutdown begins: deliveries held for a back-off go back to the queue at once.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the lifecycle.</summary>
    public WorkerLifecycle(TaskProcessor processor, WorkerState state, TimeProvider time, IOptions<WorkerOptions> options, ILogger<WorkerLifecycle> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _processor = processor;
        _state = state;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _backoff = new FailureBackoff(logger);
    }

    /// <summary>True once <see cref="ShutdownAsync"/> began: new deliveries go straight back to the queue.</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>
    /// Processes one delivery: receives it, holds it for its ETA if need be, runs it and settles it. The returned
    /// task is tracked until it completes, so a warm shutdown waits for it. It never throws: a delivery that could not
    /// be processed (the store or the broker failed, not the task) is held for a back-off delay and then given back
    /// through <see cref="Delivery.Handle"/> with <c>RejectAsync(requeue: true)</c>, which is how a host learns of it.
    /// </summary>
    /// <param name="delivery">The delivered message.</param>
    /// <param name="prefetch">The consumer's prefetch window, widened while the task waits for its ETA; null if the host has none to manage.</param>
    public Task ProcessAsync(Delivery delivery, IPrefetchWindow? prefetch = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var execution = ProcessCoreAsync(delivery, prefetch);
        _inFlight[execution] = true;
        _ = execution.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return execution;
    }

    /// <summary>
    /// Warm shutdown: call after the host stopped taking deliveries. Returns once every delivery in flight is settled
    /// or given back, at most the grace period plus a few seconds.
    /// </summary>
    public async Task ShutdownAsync()
    {
        await _stopping.CancelAsync();

        // Not started yet: straight back to the queue, so other workers can take them now.
        foreach (var reserved in _state.Reserved)
        {
            reserved.Stop(TaskStopReason.Shutdown);
        }

        var inFlight = _inFlight.Keys.ToArray();
        if (inFlight.Length == 0)
        {
            return;
        }

        Log.WarmShutdown(_logger, _options.ShutdownTimeout.TotalSeconds, _state.ActiveCount);
        var all = Task.WhenAll(inFlight);
        if (await Task.WhenAny(all, Task.Delay(_options.ShutdownTimeout, _time)) != all)
        {
            Log.ShutdownGraceExpired(_logger, _state.ActiveCount);
            await _abort.CancelAsync();
            await Task.WhenAny(all, Task.Delay(s_settleAfterAbort, _time));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _abort.Dispose();
        _stopping.Dispose();
    }

    private async Task ProcessCoreAsync(Delivery delivery, IPrefetchWindow? prefetch)
    {
        try
        {
            if (IsStopping)
            {
                // Arrived while the host was stopping: give it straight back.
                await delivery.Handle.RejectAsync(requeue: true, CancellationToken.None);
                return;
            }

            var request = await _processor.ReceiveAsync(delivery, CancellationToken.None);
            if (request is null)
            {
                return;
            }

            if (IsStopping)
            {
                // Received while the warm shutdown swept the reserved tasks: back to the queue with the rest.
                request.Stop(TaskStopReason.Shutdown);
            }

            var held = prefetch is not null && request.Message.Eta is { } eta && eta > _time.GetUtcNow();
            if (held)
            {
                await prefetch!.WidenAsync();
            }

            try
            {
                await _processor.ExecuteAsync(request, _abort.Token);
            }
            finally
            {
                if (held)
                {
                    await prefetch!.NarrowAsync();
                }
            }

            _backoff.OnSuccess();
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            // Outside the task's own code: nothing was acknowledged, so holding it a while loses nothing.
            var delay = _backoff.OnFailure(delivery.Queue, ex);
            await DelayUnlessStoppingAsync(delay);
            await TryRequeueAsync(delivery);
        }
    }

    private async Task DelayUnlessStoppingAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // The host is going down: give the message back now.
        }
    }

    private async Task TryRequeueAsync(Delivery delivery)
    {
        try
        {
            await delivery.Handle.RejectAsync(requeue: true, CancellationToken.None);
        }
        catch (Exception ex) when (!Fatal.IsFatal(ex))
        {
            // The channel is gone; the broker redelivers every unacknowledged message anyway.
            Log.RejectFailed(_logger, ex);
        }
    }
}
