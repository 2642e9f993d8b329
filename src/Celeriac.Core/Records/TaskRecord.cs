using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Records;

/// <summary>
/// The one durable record of a task: what it is, where it stands, how it ended, and when each change
/// happened. Only <see cref="TaskStateMachine"/> produces new versions of it.
/// </summary>
public sealed record TaskRecord
{
    /// <summary>The task id.</summary>
    public required string Id { get; init; }

    /// <summary>The task name; null for a record created by a revoke before anyone saw the task.</summary>
    public string? Name { get; init; }

    /// <summary>The current state.</summary>
    public TaskState State { get; init; } = TaskState.Pending;

    /// <summary>Positional arguments (a JSON array), when known.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Keyword arguments (a JSON object), when known.</summary>
    public JsonElement? Kwargs { get; init; }

    /// <summary>The return value (SUCCESS).</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The exception (FAILURE, RETRY, REVOKED).</summary>
    public TaskError? Error { get; init; }

    /// <summary>The traceback text (FAILURE, RETRY).</summary>
    public string? Traceback { get; init; }

    /// <summary>The node name of the worker that last reported on it.</summary>
    public string? Worker { get; init; }

    /// <summary>How many times it was retried.</summary>
    public int Retries { get; init; }

    /// <summary>The task that sent it.</summary>
    public string? ParentId { get; init; }

    /// <summary>The first task of its workflow.</summary>
    public string? RootId { get; init; }

    /// <summary>Not run before this time.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Revoked if not started by this time.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The revoke asked for it, if any; kept even after the task ended.</summary>
    public RevokeRequest? Revoke { get; init; }

    /// <summary>How long it ran (seconds), once finished after running.</summary>
    public double? Runtime { get; init; }

    /// <summary>When each change happened.</summary>
    public TaskTimeline Timeline { get; init; } = new();

    /// <summary>Incremented by every applied transition; stores compare it to never lose an update.</summary>
    public long Version { get; init; }

    /// <summary>True once the task finished (SUCCESS, FAILURE, REVOKED): the record no longer changes state.</summary>
    public bool IsFinal => State.IsFinal();
}

/// <summary>A revoke asked for a task.</summary>
/// <param name="RequestedAt">When it was asked.</param>
/// <param name="Terminate">Whether a running task is to be stopped too.</param>
public sealed record RevokeRequest(DateTimeOffset RequestedAt, bool Terminate);

/// <summary>The time of every change of a task.</summary>
public sealed record TaskTimeline
{
    /// <summary>When the record was created (first seen by anyone).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>When it was accepted (PENDING) by the API.</summary>
    public DateTimeOffset? Pending { get; init; }

    /// <summary>When a worker received it (RECEIVED).</summary>
    public DateTimeOffset? Received { get; init; }

    /// <summary>When a worker started it (STARTED).</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When it was last scheduled for a retry (RETRY).</summary>
    public DateTimeOffset? Retried { get; init; }

    /// <summary>When it finished (SUCCESS, FAILURE, REVOKED).</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>When the record last changed.</summary>
    public DateTimeOffset? Updated { get; init; }
}
