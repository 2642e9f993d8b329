using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>
/// Processes one delivered task message, whoever delivered it (the standalone worker's consumer, a
/// Functions trigger): decode, check revocation and expiry, run, report the outcome, settle the message.
/// </summary>
/// <remarks>
/// Two stages, so a consumer can receive quickly and run later: <see cref="ReceiveAsync"/> decodes and
/// checks the message and reports it received; <see cref="ExecuteAsync"/> waits for its ETA and a free
/// slot, checks again, runs it and settles it. <see cref="ProcessAsync"/> does both.
/// The message is acknowledged only after every <see cref="ITaskObserver"/> has the outcome, so a crash
/// at any point before that redelivers the task (at-least-once).
/// </remarks>
public sealed class TaskProcessor
{
    private static readonly TimeSpan s_stopWarningDelay = TimeSpan.FromSeconds(10);

    private readonly TaskRegistry _registry;
    private readonly IRevokedTasks _revoked;
    private readonly ITaskObserver[] _observers;
    private readonly IParkingLot _parkingLot;
    private readonly IMessagePublisher _publisher;
    private readonly WorkerState _state;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly WorkerOptions _options;
    private readonly ILogger<TaskProcessor> _logger;
    private readonly SlotQueue _slots;

    /// <summary>Creates the processor.</summary>
    public TaskProcessor(TaskRegistry registry, IRevokedTasks revoked, IEnumerable<ITaskObserver> observers, IParkingLot parkingLot,
        IMessagePublisher publisher, WorkerState state, IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkerOptions> options,
        ILogger<TaskProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _revoked = revoked;
        _observers = observers.ToArray();
        _parkingLot = parkingLot;
        _publisher = publisher;
        _state = state;
        _scopes = scopes;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _slots = new SlotQueue(_options.Concurrency);
    }

    /// <summary>Receives and executes one delivery.</summary>
    /// <param name="delivery">The delivered message.</param>
    /// <param name="abort">Signalled when the host stops for good: a running task is cancelled and its message requeued.</param>
    public async ValueTask ProcessAsync(Delivery delivery, CancellationToken abort)
    {
        var request = await ReceiveAsync(delivery, abort);
        if (request is not null)
        {
            await ExecuteAsync(request, abort);
        }
    }

    /// <summary>
    /// Decodes the delivery and checks it. Returns the request to execute, or null when the message is
    /// already settled: parked (undecodable, unregistered task) or discarded (revoked, expired).
    /// </summary>
    public async ValueTask<TaskRequest?> ReceiveAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        TaskMessage message;
        try
        {
            message = TaskMessageCodec.Decode(delivery.Message);
        }
        catch (MessageDecodeException ex)
        {
            await ParkUndecodableAsync(delivery, ex);
            return null;
        }

        if (!_registry.TryGet(message.Name, out var definition))
        {
            await ParkUnregisteredAsync(delivery, message);
            return null;
        }

        Log.TaskReceived(_logger, message.DisplayName, message.Id);
        if (message.Embed.HasWork)
        {
            Log.WorkflowNotRun(_logger, message.DisplayName, message.Id);
        }

        // The place in line is taken here, before the first await, so a caller that receives deliveries in order
        // runs them in that order. A task waiting for its ETA joins the line when the ETA comes.
        var ticket = message.Eta is { } eta && eta > _time.GetUtcNow() ? null : _slots.Enqueue();
        try
        {
            if (await DiscardIfRevokedOrExpiredAsync(message, delivery, cancellationToken))
            {
                ticket?.Release();
                return null;
            }

            var request = new TaskRequest(message, delivery, definition, _time.GetUtcNow(), ticket);
            _state.Add(request);
            foreach (var observer in _observers)
            {
                await observer.OnReceivedAsync(message, cancellationToken);
            }

            return request;
        }
        catch
        {
            ticket?.Release();
            throw;
        }
    }

    /// <summary>
    /// Runs a received task once its ETA has come and a concurrency slot is free, reports the outcome and
    /// settles the message. Never throws for the task's own failures.
    /// </summary>
    /// <param name="request">The request from <see cref="ReceiveAsync"/>.</param>
    /// <param name="abort">Signalled when the host stops for good: the task is cancelled and its message requeued.</param>
    public async ValueTask ExecuteAsync(TaskRequest request, CancellationToken abort)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var abortRegistration = abort.Register(static r => ((TaskRequest)r!).Stop(TaskStopReason.Shutdown), request);
        SlotTicket? slot = null;
        try
        {
            if (request.Message.Eta is { } eta && eta > _time.GetUtcNow())
            {
                await Task.WhenAny(Task.Delay(eta - _time.GetUtcNow(), _time, request.CancellationToken), request.Stopped);
            }

            if (request.StopReason is null)
            {
                slot = request.SlotTicket ?? _slots.Enqueue();
                await Task.WhenAny(slot.Granted, request.Stopped);
            }
            else
            {
                request.SlotTicket?.Release();
            }

            switch (request.StopReason)
            {
                case TaskStopReason.Shutdown:
                    // Not started yet: straight back to the queue.
                    await RequeueAsync(request);
                    break;
                case not null:
                    // Not started yet: a terminate is a plain revoke.
                    await DiscardAsync(request.Message, request.Delivery, RevokeReason.Revoked);
                    break;
                default:
                    if (await DiscardIfRevokedOrExpiredAsync(request.Message, request.Delivery, CancellationToken.None))
                    {
                        break;
                    }

                    if (request.TryStart(_time.GetUtcNow()))
                    {
                        await RunAsync(request, slot!);
                    }
                    else
                    {
                        await DiscardAsync(request.Message, request.Delivery, RevokeReason.Revoked);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The outcome could not be reported (broker gone, a store refused): give the message back so the
            // task runs again rather than being acknowledged without a recorded outcome.
            Log.SettleFailed(_logger, request.Message.DisplayName, request.Message.Id, ex);
            await TryRejectAsync(request.Delivery, requeue: true);
        }
        finally
        {
            // Both are idempotent: whichever path ran, the place in line is given back.
            slot?.Release();
            request.SlotTicket?.Release();
            _state.Remove(request);
        }
    }

    // The slot covers the task's own code only: the STARTED report runs alongside it and the outcome is
    // reported after the slot is free, so bookkeeping (durable writes, confirms) never limits how many
    // tasks run. The outcome still waits for the STARTED report, so reports stay in order.
    private async Task RunAsync(TaskRequest request, SlotTicket slot)
    {
        var message = request.Message;
        _state.CountStarted(request);
        var startedReported = ReportStartedAsync(message);

        using var hardLimit = StartTimer(message.TimeLimit ?? request.Definition.Options.TimeLimit?.TotalSeconds,
            () => request.Stop(TaskStopReason.TimeLimit));
        using var softLimit = StartTimer(message.SoftTimeLimit ?? request.Definition.Options.SoftTimeLimit?.TotalSeconds, () =>
        {
            Log.SoftTimeLimitExceeded(_logger, SoftLimit(request), message.DisplayName, message.Id);
            request.ExceedSoftLimit();
        });

        var startedAt = _time.GetTimestamp();
        var run = Task.Run(() => InvokeAsync(request));
        // Freed when the task's code returns, not when we stop waiting for it: a task that ignores its token
        // after a terminate keeps its slot, so the worker never runs more than its concurrency.
        _ = run.ContinueWith(static (_, s) => ((SlotTicket)s!).Release(), slot, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var first = await Task.WhenAny(run, request.Stopped);
        var runtime = _time.GetElapsedTime(startedAt);

        TaskOutcome outcome;
        if (first == run)
        {
            try
            {
                var value = await run;
                outcome = TaskOutcome.Success(value, runtime);
                Log.TaskSucceeded(_logger, message.DisplayName, message.Id, runtime.TotalSeconds, PythonRepr.Format(value));
            }
            catch (OperationCanceledException) when (request.StopReason == TaskStopReason.Shutdown)
            {
                await startedReported;
                await RequeueAsync(request);
                return;
            }
            catch (OperationCanceledException) when (request.StopReason is { } reason)
            {
                outcome = StoppedOutcome(request, reason);
            }
            catch (OperationCanceledException ex) when (request.SoftLimitExceeded)
            {
                outcome = TaskOutcome.Failure(TaskError.SoftTimeLimitExceeded(SoftLimit(request)), TaskTraceback.Format(ex), runtime);
                Log.TaskFailed(_logger, message.DisplayName, message.Id, outcome.Error!.Repr, ex);
            }
            catch (TaskArgumentException ex)
            {
                outcome = TaskOutcome.Failure(TaskError.TypeError(ex.Message), TaskTraceback.Format(ex), runtime);
                Log.TaskFailed(_logger, message.DisplayName, message.Id, outcome.Error!.Repr, ex);
            }
            catch (Exception ex)
            {
                outcome = TaskOutcome.Failure(TaskError.FromException(ex), TaskTraceback.Format(ex), runtime);
                Log.TaskFailed(_logger, message.DisplayName, message.Id, outcome.Error!.Repr, ex);
            }
        }
        else
        {
            var reason = await request.Stopped;
            if (reason == TaskStopReason.Shutdown)
            {
                // Given back without waiting: the host is going down and another worker will run it.
                ObserveLateExit(run);
                await startedReported;
                await RequeueAsync(request);
                return;
            }

            outcome = StoppedOutcome(request, reason);
        }

        await startedReported;
        await FinishAsync(message, outcome, request.Delivery);
        if (!run.IsCompleted)
        {
            // The outcome is reported; the request stays active (and its slot taken) until the task returns.
            await WaitForExitAsync(request, run);
        }
    }

    private async Task ReportStartedAsync(TaskMessage message)
    {
        foreach (var observer in _observers)
        {
            await observer.OnStartedAsync(message, CancellationToken.None);
        }
    }

    private async Task<JsonElement> InvokeAsync(TaskRequest request)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var context = new TaskContext(request.Message, _options.Hostname, request.Delivery.Redelivered, request.CancellationToken);
        return await request.Definition.InvokeAsync(context, scope.ServiceProvider);
    }

    private TaskOutcome StoppedOutcome(TaskRequest request, TaskStopReason reason)
    {
        var message = request.Message;
        if (reason == TaskStopReason.TimeLimit)
        {
            var seconds = message.TimeLimit ?? request.Definition.Options.TimeLimit?.TotalSeconds ?? 0;
            Log.HardTimeLimitExceeded(_logger, seconds, message.DisplayName, message.Id);
            return TaskOutcome.Failure(TaskError.TimeLimitExceeded(seconds), null, null);
        }

        return TaskOutcome.Revoked(RevokeReason.Terminated, request.TerminateSignal);
    }

    /// <summary>Discards the task when it was revoked or has expired; true when it did.</summary>
    private async Task<bool> DiscardIfRevokedOrExpiredAsync(TaskMessage message, Delivery delivery, CancellationToken cancellationToken)
    {
        RevokeReason reason;
        if (message.Expires is { } expires && expires <= _time.GetUtcNow())
        {
            await _revoked.AddAsync([message.Id], cancellationToken);
            reason = RevokeReason.Expired;
        }
        else if (await _revoked.IsRevokedAsync(message.Id, cancellationToken))
        {
            reason = RevokeReason.Revoked;
        }
        else
        {
            return false;
        }

        await DiscardAsync(message, delivery, reason);
        return true;
    }

    private async Task DiscardAsync(TaskMessage message, Delivery delivery, RevokeReason reason)
    {
        Log.DiscardingRevokedTask(_logger, message.DisplayName, message.Id);
        await FinishAsync(message, TaskOutcome.Revoked(reason), delivery);
    }

    private async Task FinishAsync(TaskMessage message, TaskOutcome outcome, Delivery delivery)
    {
        // Observers first, ack last: an outcome nobody recorded is never acknowledged.
        foreach (var observer in _observers)
        {
            await observer.OnFinishedAsync(message, outcome, CancellationToken.None);
        }

        await delivery.Handle.AckAsync(CancellationToken.None);
    }

    private async Task RequeueAsync(TaskRequest request)
    {
        Log.TaskRequeued(_logger, request.Message.DisplayName, request.Message.Id);
        await TryRejectAsync(request.Delivery, requeue: true);
    }

    private async Task ParkUndecodableAsync(Delivery delivery, MessageDecodeException error)
    {
        Log.UndecodableMessage(_logger, delivery.Queue, error.Message);
        await _parkingLot.ParkAsync(delivery, error.Message, CancellationToken.None);

        // Better than Celery, whose caller waits forever: when the id and reply queue are readable, tell the caller.
        var headers = delivery.Message.Headers;
        var taskId = (headers.TryGetValue("id", out var id) ? id as string : null) ?? delivery.Message.CorrelationId;
        if (!string.IsNullOrEmpty(taskId) && !string.IsNullOrEmpty(delivery.Message.ReplyTo))
        {
            var failure = TaskOutcome.Failure(TaskError.Create("DecodeError", error.Message, "kombu.exceptions"), null, null);
            await _publisher.PublishAsync(failure.ToResult(taskId).ToMessage(delivery.Message.ReplyTo, delivery.Message.CorrelationId, _options.PersistentResults),
                CancellationToken.None);
        }

        await delivery.Handle.AckAsync(CancellationToken.None);
    }

    private async Task ParkUnregisteredAsync(Delivery delivery, TaskMessage message)
    {
        Log.UnregisteredTask(_logger, message.Name, message.Id);
        await _parkingLot.ParkAsync(delivery, $"Task '{message.Name}' is not registered on {_options.Hostname}.", CancellationToken.None);
        await FinishAsync(message, TaskOutcome.Failure(TaskError.NotRegistered(message.Name), null, null), delivery);
    }

    private async Task TryRejectAsync(Delivery delivery, bool requeue)
    {
        try
        {
            await delivery.Handle.RejectAsync(requeue, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The channel is gone; the broker redelivers every unacknowledged message anyway.
            Log.RejectFailed(_logger, ex);
        }
    }

    private async Task WaitForExitAsync(TaskRequest request, Task run)
    {
        var warned = await Task.WhenAny(run, Task.Delay(s_stopWarningDelay, _time)) != run;
        if (warned)
        {
            Log.TaskStillRunningAfterStop(_logger, request.Message.DisplayName, request.Message.Id, s_stopWarningDelay.TotalSeconds);
        }

        ObserveLateExit(run);
        await run.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void ObserveLateExit(Task run) =>
        _ = run.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static double SoftLimit(TaskRequest request) =>
        request.Message.SoftTimeLimit ?? request.Definition.Options.SoftTimeLimit?.TotalSeconds ?? 0;

    private ITimer? StartTimer(double? seconds, Action action) =>
        seconds is > 0 ? _time.CreateTimer(static a => ((Action)a!)(), action, TimeSpan.FromSeconds(seconds.Value), Timeout.InfiniteTimeSpan) : null;
}
