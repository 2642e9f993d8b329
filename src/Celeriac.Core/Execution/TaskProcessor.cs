using Celeriac.Core.Execution.Workflow;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.Revocation;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>
/// Processes one delivered task message, whoever delivered it (the standalone worker's consumer, a Functions
/// trigger): admit it, check revocation and expiry, plan its ETA, wait for a slot, run it, map how it ended to an
/// outcome, and settle the message. Each step is a small type of its own; this class only puts them in order.
/// </summary>
/// <remarks>
/// Two stages, so a consumer can receive quickly and run later: <see cref="ReceiveAsync"/> decodes and checks the
/// message and reports it received; <see cref="ExecuteAsync"/> waits for a held ETA and a free slot, checks again,
/// runs it and settles it. <see cref="ProcessAsync"/> does both. The message is acknowledged only after every
/// <see cref="ITaskObserver"/> has the outcome, so a crash at any point before that redelivers the task
/// (at-least-once). A task due later than <see cref="WorkerOptions.EtaHoldLimit"/> is never held: it is deferred
/// through the broker and acknowledged, and comes back when due.
/// </remarks>
public sealed class TaskProcessor
{
    private readonly TaskRegistry _registry;
    private readonly TaskRateLimiter _rateLimiter;
    private readonly RevocationGate _revocation;
    private readonly ITaskDeferral _deferral;
    private readonly Settlement _settlement;
    private readonly WorkflowContinuation _workflow;
    private readonly TaskRunner _runner;
    private readonly WorkerState _state;
    private readonly TimeProvider _time;
    private readonly WorkerOptions _options;
    private readonly DeliveryCounter _deliveries;
    private readonly FinishedTaskCheck _finished;
    private readonly ILogger<TaskProcessor> _logger;
    private readonly SlotQueue _slots;

    /// <summary>
    /// Creates the processor; <paramref name="chords"/> (from the record store) lets chord header parts run their body, and
    /// <paramref name="records"/> keeps a redelivered task that already finished from running again.
    /// </summary>
    public TaskProcessor(TaskRegistry registry, TaskRateLimiter rateLimiter, IRevokedTasks revoked, IEnumerable<ITaskObserver> observers, IParkingLot parkingLot,
        IMessagePublisher publisher, ITaskDeferral deferral, WorkerState state, IServiceScopeFactory scopes, TimeProvider time,
        IOptions<WorkerOptions> options, ILogger<TaskProcessor> logger, WorkerConcurrency concurrency, IChordCounter? chords = null,
        ITaskStore? records = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(concurrency);
        _options = options.Value;
        _registry = registry;
        _rateLimiter = rateLimiter;
        _revocation = new RevocationGate(revoked, time);
        _deferral = deferral;
        _settlement = new Settlement(observers.ToArray(), parkingLot, publisher, logger);
        _workflow = new WorkflowContinuation(publisher, time, _options.PersistentResults, logger, chords);
        _deliveries = new DeliveryCounter(_options.ResolveStateDirectory());
        _finished = new FinishedTaskCheck(records);
        _runner = new TaskRunner(scopes, time, _options.Hostname, logger);
        _state = state;
        _time = time;
        _logger = logger;
        // Shared with the host's pool, which pool_grow and pool_shrink resize.
        _slots = concurrency.Slots;
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
    /// Decodes the delivery and checks it. Returns the request to execute, or null when the message is already
    /// settled: parked (undecodable, unregistered task), discarded (revoked, expired) or deferred (due later).
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
            await _settlement.ParkUndecodableAsync(delivery, ex);
            return null;
        }

        if (!_registry.TryGet(message.Name, out var definition))
        {
            await _settlement.ParkUnregisteredAsync(delivery, message, _options.Hostname);
            return null;
        }

        if (await _finished.FindAsync(message, delivery, cancellationToken) is { } record)
        {
            Log.TaskAlreadyFinished(_logger, message.DisplayName, message.Id, record.State.ToWireName());
            await _settlement.ResendFinishedAsync(message, FinishedTaskCheck.ResultOf(record), delivery, _options.PersistentResults);
            return null;
        }

        var plan = EtaPlanner.Plan(message.Eta, _time.GetUtcNow(), _options.EtaHoldLimit);

        // The place in line is taken here, before the first await, so a caller that receives deliveries in order
        // runs them in that order. A task waiting for its ETA joins the line when the ETA comes.
        var ticket = plan == EtaPlan.RunNow ? _slots.Enqueue() : null;
        try
        {
            if (await _revocation.CheckAsync(message, cancellationToken) is { } reason)
            {
                ticket?.Release();
                await DiscardAsync(message, delivery, reason);
                return null;
            }

            if (plan == EtaPlan.Defer)
            {
                // Not reported received: the record and monitors see it when it comes back due, as Celery's do.
                await _deferral.DeferAsync(delivery, message.Eta!.Value, cancellationToken);
                Log.TaskDeferred(_logger, message.DisplayName, message.Id, message.Eta.Value);
                await delivery.Handle.AckAsync(CancellationToken.None);
                return null;
            }

            Log.TaskReceived(_logger, message.DisplayName, message.Id);

            var request = new TaskRequest(message, delivery, definition, _time.GetUtcNow(), ticket);
            _state.Add(request);
            // Not awaited here: the RECEIVED report (a durable write, an event) goes on while the task waits for a slot
            // or starts. Every later report of the task waits for it, so each observer still sees its changes in order,
            // and nothing is acknowledged before it is done.
            request.Received = _settlement.ReportReceivedAsync(message, cancellationToken);
            return request;
        }
        catch
        {
            ticket?.Release();
            throw;
        }
    }

    /// <summary>
    /// Runs a received task once its held ETA has come and a concurrency slot is free, reports the outcome and
    /// settles the message. Never throws for the task's own failures; throws, with the message unsettled, when the
    /// outcome could not be reported (the store or the broker failed), so the host gives it back.
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

            var ticket = request.SlotTicket;
            if (request.StopReason is null && !_rateLimiter.TryAcquire(request.Definition, out var wait))
            {
                // Its task's rate limit says not yet: wait out of line (a ticket may already hold a slot), so tasks of
                // other names go ahead, then join the line anew.
                ticket?.Release();
                ticket = null;
                await WaitForRateLimitAsync(request, wait);
            }

            if (request.StopReason is null)
            {
                slot = ticket ?? _slots.Enqueue();
                await Task.WhenAny(slot.Granted, request.Stopped);
            }
            else
            {
                request.SlotTicket?.Release();
            }

            await StartOrDiscardAsync(request, slot);
        }
        finally
        {
            // Both are idempotent: whichever path ran, the place in line is given back.
            slot?.Release();
            request.SlotTicket?.Release();
            _state.Remove(request);
            // Settled or given back by this process: it did not die running it.
            ForgetDeliveries(request.Delivery, request.Message);
        }
    }

    private void ForgetDeliveries(Delivery delivery, TaskMessage message)
    {
        if (!delivery.Redelivered || _options.MaxDeliveries == 0)
        {
            return;
        }

        try
        {
            _deliveries.Forget(message.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeliveryCountFailed(_logger, message.Id, ex);
        }
    }

    /// <summary>The deliveries of a redelivered message so far, or null when they are not counted.</summary>
    private int? CountDelivery(TaskMessage message)
    {
        if (_options.MaxDeliveries == 0)
        {
            return null;
        }

        try
        {
            return _deliveries.CountRedelivery(message.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeliveryCountFailed(_logger, message.Id, ex);
            return null;
        }
    }

    /// <summary>Waits until the task's rate-limit token (Celery's per-worker <c>rate_limit</c>) is there and takes it, or the task is stopped.</summary>
    private async Task WaitForRateLimitAsync(TaskRequest request, TimeSpan wait)
    {
        do
        {
            await Task.WhenAny(Task.Delay(wait, _time, request.CancellationToken), request.Stopped);
        }
        while (request.StopReason is null && !_rateLimiter.TryAcquire(request.Definition, out wait));
    }

    private async Task StartOrDiscardAsync(TaskRequest request, SlotTicket? slot)
    {
        switch (request.StopReason)
        {
            case TaskStopReason.Shutdown:
                // Not started yet: straight back to the queue.
                await request.Received;
                await _settlement.RequeueAsync(request.Message, request.Delivery);
                return;
            case not null:
                // Not started yet: a terminate is a plain revoke.
                await DiscardAsync(request, RevokeReason.Revoked);
                return;
        }

        if (await _revocation.CheckAsync(request.Message, CancellationToken.None) is { } reason)
        {
            await DiscardAsync(request, reason);
        }
        else if (request.Delivery.Redelivered && CountDelivery(request.Message) is { } deliveries && deliveries > _options.MaxDeliveries)
        {
            // Counted when it is about to run, not when received: tasks waiting behind one that kills the process are
            // redelivered too, but never ran, and must not be taken for poison.
            await request.Received;
            await _settlement.ParkPoisonAsync(request.Delivery, request.Message, deliveries);
        }
        else if (request.TryStart(_time.GetUtcNow()))
        {
            await RunAsync(request, slot!);
        }
        else
        {
            await DiscardAsync(request, RevokeReason.Revoked);
        }
    }

    // The slot covers the task's own code only: the STARTED report runs alongside it and the outcome is
    // reported after the slot is free, so bookkeeping (durable writes, confirms) never limits how many
    // tasks run. The outcome still waits for the STARTED report, so reports stay in order.
    private async Task RunAsync(TaskRequest request, SlotTicket slot)
    {
        var message = request.Message;
        _state.CountStarted(request);
        var startedReported = ReportStartedAsync(request);

        var (end, code) = await _runner.RunAsync(request);
        var endedAt = _time.GetUtcNow();
        // Freed when the task's code returns, or at the latest when the worker abandons code that ignores its token
        // (WaitForExitAsync): a stuck task cannot hold a slot forever.
        _ = code.ContinueWith(static (_, s) => ((SlotTicket)s!).Release(), slot, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        // What is left is bookkeeping: the transport may let the next message in (the ack still waits for the outcome).
        request.Delivery.Handle.RunEnded();
        var limits = TimeLimits.Of(message, request.Definition);
        var outcome = OutcomeMapping.Map(end, request.StopReason, request.SoftLimitExceeded, limits, request.TerminateSignal) is { } mapped
            ? TaskTraceback.WithDetail(mapped, _options.TracebackDetail)
            : null;
        await startedReported;
        if (outcome is null)
        {
            // Stopped by a shutdown: given back without waiting, since the host is going down and another worker will run it.
            ObserveLateExit(code);
            await _settlement.RequeueAsync(message, request.Delivery);
            return;
        }

        if (outcome.State == TaskState.Failure && request.StopReason is null
            && RetryPlanner.Decide(end, message, request.Definition.Options.Retry, _time.GetUtcNow(), Random.Shared) is { } decision)
        {
            // Retried (Celery's self.retry or autoretry_for), or past its maximum: then it fails with its own exception.
            if (decision.Retry is { } retry)
            {
                await RetryOrDiscardAsync(request, retry);
                return;
            }

            outcome = decision.GiveUp!;
        }

        outcome = outcome with { EndedAt = endedAt };
        LogOutcome(message, outcome, end, limits);
        // Callbacks, chain and errbacks go out (confirmed) before the task is acknowledged: never lost, at worst sent twice.
        await _workflow.ContinueAsync(message, outcome, CancellationToken.None);
        await _settlement.FinishAsync(message, outcome, request.Delivery);
        if (!code.IsCompleted)
        {
            // The outcome is reported; the request stays active (and its slot taken) until the task returns or the
            // grace is over.
            await WaitForExitAsync(request, code);
        }
    }

    private void LogOutcome(TaskMessage message, TaskOutcome outcome, RunEnd end, TimeLimits limits)
    {
        if (outcome.State == TaskState.Success)
        {
            Log.TaskSucceeded(_logger, message.DisplayName, message.Id, end.Runtime.TotalSeconds, PythonRepr.Format(outcome.Value));
        }
        else if (outcome.Error?.Type == "TimeLimitExceeded")
        {
            Log.HardTimeLimitExceeded(_logger, limits.Hard ?? 0, message.DisplayName, message.Id);
        }
        else if (outcome.State == TaskState.Failure && end.Error is { } error)
        {
            Log.TaskFailed(_logger, message.DisplayName, message.Id, outcome.Error!.Repr, error);
        }
    }

    // A task revoked (or expired) while it ran is not retried: Celery would publish it and discard it on arrival.
    private async Task RetryOrDiscardAsync(TaskRequest request, TaskRetry retry)
    {
        if (await _revocation.CheckAsync(request.Message, CancellationToken.None) is { } reason)
        {
            await DiscardAsync(request.Message, request.Delivery, reason);
        }
        else
        {
            await _settlement.RetryAsync(request.Message, retry, request.Delivery);
        }
    }

    private async Task ReportStartedAsync(TaskRequest request)
    {
        await request.Received;
        // The time it started, not the time RECEIVED's report let this one go (a store that answers each write first).
        await _settlement.ReportStartedAsync(request.Message, request.StartedAt!.Value);
    }

    private async Task DiscardAsync(TaskRequest request, RevokeReason reason)
    {
        await request.Received;
        await DiscardAsync(request.Message, request.Delivery, reason);
    }

    private async Task DiscardAsync(TaskMessage message, Delivery delivery, RevokeReason reason)
    {
        Log.DiscardingRevokedTask(_logger, message.DisplayName, message.Id);
        var outcome = TaskOutcome.Revoked(reason);
        // A revoked chord part is counted (failing its chord) before the ack, like a finished one.
        await _workflow.ContinueAsync(message, outcome, CancellationToken.None);
        await _settlement.FinishAsync(message, outcome, delivery);
    }

    private async Task WaitForExitAsync(TaskRequest request, Task code)
    {
        ObserveLateExit(code);
        // How long a stopped task's code may go on before the worker stops waiting for it and frees its slot.
        var grace = _options.AbandonGrace;
        if (await Task.WhenAny(code, Task.Delay(grace, _time)) != code)
        {
            // Code that ignores its token cannot be stopped in-process: its thread goes on, but the worker stops
            // waiting for it, so the slot is freed (by ExecuteAsync) and the worker takes other tasks.
            Log.TaskAbandonedAfterStop(_logger, request.Message.DisplayName, request.Message.Id, grace.TotalSeconds);
        }
    }

    private static void ObserveLateExit(Task code) =>
        _ = code.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
