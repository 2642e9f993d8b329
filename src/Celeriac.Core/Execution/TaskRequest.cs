using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Execution;

/// <summary>
/// A task a worker has received and not yet finished: the message, its delivery, and the cancellation
/// that revokes, time limits and shutdown signal.
/// </summary>
public sealed class TaskRequest
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TaskCompletionSource<TaskStopReason> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _softLimitExceeded;
    private int _phase; // 0 reserved, 1 started, 2 revoked before it started

    internal TaskRequest(TaskMessage message, Delivery delivery, TaskDefinition definition, DateTimeOffset receivedAt, SlotTicket? slotTicket = null)
    {
        SlotTicket = slotTicket;
        Message = message;
        Delivery = delivery;
        Definition = definition;
        ReceivedAt = receivedAt;
    }

    /// <summary>The decoded message.</summary>
    public TaskMessage Message { get; }

    /// <summary>The delivery to settle.</summary>
    public Delivery Delivery { get; }

    /// <summary>The task to run.</summary>
    public TaskDefinition Definition { get; }

    /// <summary>Its place in line for a concurrency slot, taken when it was received (null while it waits for its ETA).</summary>
    internal SlotTicket? SlotTicket { get; }

    /// <summary>The RECEIVED report (records, events), which every later report of this task waits for.</summary>
    internal Task Received { get; set; } = Task.CompletedTask;

    /// <summary>When the worker received it.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>When it started running; null while reserved.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The task's cancellation token.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Why the task was stopped, once it was.</summary>
    public TaskStopReason? StopReason => _stopped.Task.IsCompleted ? _stopped.Task.Result : null;

    /// <summary>The signal a terminate asked for (15 by default).</summary>
    public int TerminateSignal { get; private set; } = Signals.SigTerm;

    /// <summary>Completes when the task is stopped (terminate, hard time limit or shutdown).</summary>
    internal Task<TaskStopReason> Stopped => _stopped.Task;

    /// <summary>True once the soft time limit signalled the token.</summary>
    internal bool SoftLimitExceeded => Volatile.Read(ref _softLimitExceeded) == 1;

    /// <summary>Stops the task: signals its token and records why. The first reason wins.</summary>
    public bool Stop(TaskStopReason reason, int signal = Signals.SigTerm)
    {
        if (reason == TaskStopReason.Terminated)
        {
            TerminateSignal = signal;
        }

        if (!_stopped.TrySetResult(reason))
        {
            return false;
        }

        Cancel();
        return true;
    }

    /// <summary>
    /// Revokes the task if it has not started: it is then discarded as soon as its executor looks at it, even
    /// while it waits for a slot or its ETA. False when it already started (only a terminate stops it then).
    /// </summary>
    public bool TryRevokeBeforeStart()
    {
        if (Interlocked.CompareExchange(ref _phase, 2, 0) != 0)
        {
            return false;
        }

        Stop(TaskStopReason.Terminated);
        return true;
    }

    /// <summary>Marks the task started unless it was revoked first; the two cannot both happen.</summary>
    internal bool TryStart(DateTimeOffset now)
    {
        if (Interlocked.CompareExchange(ref _phase, 1, 0) != 0)
        {
            return false;
        }

        StartedAt = now;
        return true;
    }

    /// <summary>Signals the token for the soft time limit; the task may catch it and still finish.</summary>
    internal void ExceedSoftLimit()
    {
        Interlocked.Exchange(ref _softLimitExceeded, 1);
        Cancel();
    }

    private void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A task's own cancellation callback threw; the task sees the cancellation regardless.
        }
    }
}
