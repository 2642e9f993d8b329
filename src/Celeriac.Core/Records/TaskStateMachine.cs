using Celeriac.Core.States;

namespace Celeriac.Core.Records;

/// <summary>
/// Decides every change to a task record, and nothing else does. Pure: the same record and transition
/// always give the same result, so it is tested as a table and every store applies it the same way.
/// </summary>
/// <remarks>
/// The rules: a transition applies only from the states it names; a final state (SUCCESS, FAILURE,
/// REVOKED) is never overwritten; a transition that does not apply changes nothing and says why, so late
/// or repeated reports are harmless and a state never goes backwards.
/// </remarks>
public static class TaskStateMachine
{
    /// <summary>Applies a transition to a record (null when none exists yet).</summary>
    public static TransitionResult Apply(TaskRecord? current, string taskId, TaskTransition transition)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(transition);
        if (current is null)
        {
            if (!transition.FromNothing)
            {
                return TransitionResult.Ignored(null, $"no task {taskId}");
            }

            var created = new TaskRecord { Id = taskId, Timeline = new TaskTimeline { Created = transition.At } };
            return TransitionResult.Applied(Transform(created, transition));
        }

        if (transition is TaskAccepted accepted)
        {
            // The API's PENDING may land after a worker (or a revoke) created the record: it only fills gaps,
            // never the state.
            if (current.Timeline.Pending is not null)
            {
                return TransitionResult.Ignored(current, $"task {taskId} was already accepted");
            }

            // The broker confirmed the message before any worker could receive it, so the task was pending no later
            // than the first thing a worker reported: the timeline never shows PENDING after RECEIVED or STARTED.
            var pendingAt = new[] { accepted.At, current.Timeline.Received, current.Timeline.Started, current.Timeline.Finished }.Min()!.Value;
            var filled = current.Name is null ? Describe(current, accepted.Task) : current;
            return TransitionResult.Applied(Bump(filled with { Timeline = filled.Timeline with { Pending = pendingAt } }, accepted));
        }

        if (current.IsFinal)
        {
            return TransitionResult.Ignored(current, $"task {taskId} already finished: {current.State.ToWireName()}");
        }

        if (!transition.From.Contains(current.State))
        {
            return TransitionResult.Ignored(current,
                $"{transition.Target?.ToWireName() ?? "revoke"} cannot follow {current.State.ToWireName()} (a late or repeated report)");
        }

        if (transition is TaskRevokeRequested revoke && current.Revoke is { } existing && (existing.Terminate || !revoke.Terminate))
        {
            return TransitionResult.Ignored(current, $"task {taskId} already has a revoke request");
        }

        return TransitionResult.Applied(Transform(current, transition));
    }

    private static TaskRecord Transform(TaskRecord record, TaskTransition transition) => Bump(transition switch
    {
        TaskAccepted t => Describe(record, t.Task) with
        {
            State = TaskState.Pending,
            Timeline = record.Timeline with { Pending = t.At },
        },
        TaskReceived t => Describe(record, t.Task) with
        {
            State = TaskState.Received,
            Worker = t.Worker,
            Retries = t.Task.Retries,
            Timeline = record.Timeline with { Received = t.At },
        },
        TaskStarted t => record with
        {
            State = TaskState.Started,
            Worker = t.Worker,
            Timeline = record.Timeline with { Started = t.At },
        },
        TaskRetried t => record with
        {
            State = TaskState.Retry,
            Worker = t.Worker,
            Error = t.Error,
            Traceback = t.Traceback,
            Retries = record.Retries + 1,
            Timeline = record.Timeline with { Retried = t.At },
        },
        TaskFinished t => record with
        {
            State = t.Outcome.State,
            Worker = t.Worker ?? record.Worker,
            Result = t.Outcome.State == TaskState.Success ? t.Outcome.Value : null,
            Error = t.Outcome.Error,
            Traceback = t.Outcome.Traceback,
            Runtime = t.Outcome.Runtime?.TotalSeconds ?? record.Runtime,
            Timeline = record.Timeline with { Finished = t.At },
        },
        TaskRevokeRequested t => record with { Revoke = new RevokeRequest(t.At, t.Terminate) },
        _ => throw new ArgumentException($"Unknown transition {transition.GetType().Name}.", nameof(transition)),
    }, transition);

    private static TaskRecord Describe(TaskRecord record, TaskDescription task) => record with
    {
        Name = task.Name,
        Args = task.Args,
        Kwargs = task.Kwargs,
        Eta = task.Eta,
        Expires = task.Expires,
        ParentId = task.ParentId,
        RootId = task.RootId ?? record.Id,
    };

    private static TaskRecord Bump(TaskRecord record, TaskTransition transition) =>
        record with { Version = record.Version + 1, Timeline = record.Timeline with { Updated = transition.At } };
}

/// <summary>What applying a transition did.</summary>
/// <param name="Record">The record after the transition (unchanged when ignored; null when there is none).</param>
/// <param name="WasApplied">True when the record changed.</param>
/// <param name="Reason">Why it was ignored.</param>
public sealed record TransitionResult(TaskRecord? Record, bool WasApplied, string? Reason)
{
    /// <summary>The record changed.</summary>
    public static TransitionResult Applied(TaskRecord record) => new(record, true, null);

    /// <summary>Nothing changed, and why.</summary>
    public static TransitionResult Ignored(TaskRecord? record, string reason) => new(record, false, reason);
}
