using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Events;

/// <summary>Builds the task events a worker sends, with the fields Celery's monitors read.</summary>
public static class TaskEvents
{
    /// <summary><c>task-received</c>: name, argument reprs, workflow ids, retries, eta and expires.</summary>
    public static CeleryEvent Received(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new CeleryEvent("task-received")
            .With("uuid", message.Id)
            .With("name", message.DisplayName)
            .With("args", message.ArgsRepr ?? PythonRepr.FormatTuple(message.Args))
            .With("kwargs", message.KwargsRepr ?? PythonRepr.Format(message.Kwargs))
            .With("root_id", message.RootId)
            .With("parent_id", message.ParentId)
            .With("retries", message.Retries)
            .With("eta", message.Eta is { } eta ? CeleryTime.Format(eta) : null)
            .With("expires", message.Expires is { } expires ? CeleryTime.Format(expires) : null);
    }

    /// <summary><c>task-started</c>, stamped with the time the task started.</summary>
    public static CeleryEvent Started(TaskMessage message, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new CeleryEvent("task-started") { Timestamp = startedAt }.With("uuid", message.Id);
    }

    /// <summary><c>task-retried</c>: the reason's repr (<c>None</c> without one) and the traceback, as Celery's worker sends it.</summary>
    public static CeleryEvent Retried(TaskMessage message, TaskRetry retry)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(retry);
        return new CeleryEvent("task-retried")
            .With("uuid", message.Id)
            .With("exception", retry.Error?.Repr ?? "None")
            .With("traceback", retry.Traceback);
    }

    /// <summary>The event for an outcome: <c>task-succeeded</c>, <c>task-failed</c> or <c>task-revoked</c>.</summary>
    public static CeleryEvent Finished(TaskMessage message, TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.State switch
        {
            TaskState.Success => new CeleryEvent("task-succeeded") { Timestamp = outcome.EndedAt }
                .With("uuid", message.Id)
                .With("result", PythonRepr.Format(outcome.Value))
                .With("runtime", (outcome.Runtime ?? TimeSpan.Zero).TotalSeconds),
            TaskState.Failure => new CeleryEvent("task-failed") { Timestamp = outcome.EndedAt }
                .With("uuid", message.Id)
                .With("exception", outcome.Error?.Repr)
                .With("traceback", outcome.Traceback),
            TaskState.Revoked => new CeleryEvent("task-revoked") { Timestamp = outcome.EndedAt }
                .With("uuid", message.Id)
                .With("terminated", outcome.RevokeReason == RevokeReason.Terminated)
                .With("signum", outcome.Signal)
                .With("expired", outcome.RevokeReason == RevokeReason.Expired),
            _ => throw new ArgumentException($"{outcome.State} is not an outcome.", nameof(outcome)),
        };
    }
}
