using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Records;

/// <summary>
/// A change to a task's record, named in the domain's words. Each names the states it may come from;
/// <see cref="TaskStateMachine"/> decides whether it applies.
/// </summary>
/// <param name="At">When the change happened (the reporter's clock).</param>
public abstract record TaskTransition(DateTimeOffset At)
{
    /// <summary>The state the record moves to, or null for changes that keep the state (a revoke request).</summary>
    public abstract TaskState? Target { get; }

    /// <summary>
    /// The states the record may be in for the change to apply; <see cref="FromNothing"/> says whether it may
    /// also create the record.
    /// </summary>
    public abstract IReadOnlySet<TaskState> From { get; }

    /// <summary>True when the change may create a record that does not exist yet.</summary>
    public virtual bool FromNothing => true;

    /// <summary>Every state that is not final.</summary>
    protected static IReadOnlySet<TaskState> Unfinished { get; } =
        new HashSet<TaskState> { TaskState.Pending, TaskState.Received, TaskState.Started, TaskState.Retry, TaskState.Rejected };
}

/// <summary>Facts about a task that whoever sees its message first can record.</summary>
/// <param name="Name">The task name.</param>
/// <param name="Args">Positional arguments.</param>
/// <param name="Kwargs">Keyword arguments.</param>
/// <param name="Retries">Retries so far.</param>
/// <param name="Eta">Not before.</param>
/// <param name="Expires">Revoked if not started by.</param>
/// <param name="ParentId">The sending task.</param>
/// <param name="RootId">The workflow's first task.</param>
public sealed record TaskDescription(string Name, JsonElement Args, JsonElement Kwargs, int Retries = 0, DateTimeOffset? Eta = null,
    DateTimeOffset? Expires = null, string? ParentId = null, string? RootId = null)
{
    /// <summary>Describes a decoded message.</summary>
    public static TaskDescription From(TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.Name, message.Args, message.Kwargs, message.Retries, message.Eta, message.Expires, message.ParentId, message.RootId);
    }
}

/// <summary>The API accepted the task and the broker confirmed its message: PENDING. Creates the record only.</summary>
public sealed record TaskAccepted(DateTimeOffset At, TaskDescription Task) : TaskTransition(At)
{
    private static readonly HashSet<TaskState> s_none = [];

    /// <inheritdoc />
    public override TaskState? Target => TaskState.Pending;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => s_none;
}

/// <summary>A worker received the task: RECEIVED.</summary>
public sealed record TaskReceived(DateTimeOffset At, string Worker, TaskDescription Task) : TaskTransition(At)
{
    private static readonly HashSet<TaskState> s_from = [TaskState.Pending, TaskState.Received, TaskState.Retry, TaskState.Rejected];

    /// <inheritdoc />
    public override TaskState? Target => TaskState.Received;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => s_from;
}

/// <summary>A worker started the task: STARTED (again, when a redelivered task restarts elsewhere).</summary>
public sealed record TaskStarted(DateTimeOffset At, string Worker) : TaskTransition(At)
{
    /// <inheritdoc />
    public override TaskState? Target => TaskState.Started;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => Unfinished;
}

/// <summary>The task failed and will run again: RETRY.</summary>
public sealed record TaskRetried(DateTimeOffset At, string Worker, TaskError Error, string? Traceback) : TaskTransition(At)
{
    private static readonly HashSet<TaskState> s_from = [TaskState.Received, TaskState.Started];

    /// <inheritdoc />
    public override TaskState? Target => TaskState.Retry;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => s_from;
}

/// <summary>The task finished: SUCCESS, FAILURE or REVOKED, as the worker reported it.</summary>
public sealed record TaskFinished(DateTimeOffset At, string? Worker, TaskOutcome Outcome) : TaskTransition(At)
{
    /// <inheritdoc />
    public override TaskState? Target => Outcome.State;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => Unfinished;
}

/// <summary>
/// Someone asked to revoke the task (with or without terminate). The state stays; workers read the request
/// when the task arrives and before it starts. Creates a record for an id nobody has seen yet, so the revoke
/// waits for the task.
/// </summary>
public sealed record TaskRevokeRequested(DateTimeOffset At, bool Terminate) : TaskTransition(At)
{
    /// <inheritdoc />
    public override TaskState? Target => null;

    /// <inheritdoc />
    public override IReadOnlySet<TaskState> From => Unfinished;
}
