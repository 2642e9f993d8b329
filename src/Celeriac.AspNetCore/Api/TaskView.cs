using System.Text.Json;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.AspNetCore.Api;

/// <summary>A task record as the HTTP API shows it.</summary>
public sealed record TaskView
{
    /// <summary>The task id.</summary>
    public required string Id { get; init; }

    /// <summary>The task name.</summary>
    public string? Name { get; init; }

    /// <summary>The state's wire name (<c>PENDING</c>, <c>SUCCESS</c>, ...).</summary>
    public required string State { get; init; }

    /// <summary>Positional arguments.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Keyword arguments.</summary>
    public JsonElement? Kwargs { get; init; }

    /// <summary>The result (SUCCESS).</summary>
    public JsonElement? Result { get; init; }

    /// <summary>The exception (FAILURE, RETRY, REVOKED).</summary>
    public ErrorView? Exception { get; init; }

    /// <summary>The traceback.</summary>
    public string? Traceback { get; init; }

    /// <summary>The worker that last reported on it.</summary>
    public string? Worker { get; init; }

    /// <summary>Retries so far.</summary>
    public int Retries { get; init; }

    /// <summary>The task that sent it.</summary>
    public string? ParentId { get; init; }

    /// <summary>The first task of its workflow.</summary>
    public string? RootId { get; init; }

    /// <summary>Not run before.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Revoked if not started by.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The revoke asked for it.</summary>
    public RevokeRequest? Revoke { get; init; }

    /// <summary>Seconds it ran.</summary>
    public double? Runtime { get; init; }

    /// <summary>When each change happened.</summary>
    public required TaskTimeline Timeline { get; init; }

    /// <summary>True once it finished.</summary>
    public bool Final { get; init; }

    /// <summary>
    /// The members a listing cut short (<c>args</c>, <c>kwargs</c>, <c>result</c>, <c>traceback</c>): each is then a string
    /// with the start of its JSON text; <c>GET /api/tasks/{id}</c> has them complete. Absent when nothing was cut.
    /// </summary>
    public IReadOnlyList<string>? Truncated { get; init; }

    /// <summary>The view of a record.</summary>
    public static TaskView From(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new TaskView
        {
            Id = record.Id,
            Name = record.Name,
            State = record.State.ToWireName(),
            Args = record.Args,
            Kwargs = record.Kwargs,
            Result = record.Result,
            Exception = record.Error is { } error ? new ErrorView(error.Type, error.Message, error.Module) : null,
            Traceback = record.Traceback,
            Worker = record.Worker,
            Retries = record.Retries,
            ParentId = record.ParentId,
            RootId = record.RootId,
            Eta = record.Eta,
            Expires = record.Expires,
            Revoke = record.Revoke,
            Runtime = record.Runtime,
            Timeline = record.Timeline,
            Final = record.IsFinal,
        };
    }

    /// <summary>
    /// The view of a record in a listing: arguments, results and tracebacks longer than <paramref name="maxValueBytes"/>
    /// (as JSON text) are cut to a string preview and named in <see cref="Truncated"/>, so a page of tasks with
    /// megabyte arguments stays small.
    /// </summary>
    public static TaskView Summary(TaskRecord record, int maxValueBytes)
    {
        var view = From(record);
        List<string>? truncated = null;
        var args = ValuePreview.Of(view.Args, maxValueBytes, "args", ref truncated);
        var kwargs = ValuePreview.Of(view.Kwargs, maxValueBytes, "kwargs", ref truncated);
        var result = ValuePreview.Of(view.Result, maxValueBytes, "result", ref truncated);
        var traceback = ValuePreview.Of(view.Traceback, maxValueBytes, "traceback", ref truncated);
        return truncated is null ? view : view with { Args = args, Kwargs = kwargs, Result = result, Traceback = traceback, Truncated = truncated };
    }
}

/// <summary>An exception as the HTTP API shows it.</summary>
/// <param name="Type">The exception type's name.</param>
/// <param name="Message">Its message.</param>
/// <param name="Module">Its module (Python) or namespace (.NET).</param>
public sealed record ErrorView(string Type, string Message, string? Module);

/// <summary>The answer to an accepted task or revoke: where to ask about it next.</summary>
/// <param name="Id">The task id.</param>
/// <param name="State">Its state now.</param>
/// <param name="StatusQueryGetUri">GET this for the record.</param>
/// <param name="RevokePostUri">POST this to revoke it.</param>
/// <param name="TerminatePostUri">POST this to revoke it and stop it if running.</param>
public sealed record TaskLinks(string Id, string State, string StatusQueryGetUri, string RevokePostUri, string TerminatePostUri)
{
    /// <summary>The task name.</summary>
    public string? Name { get; init; }

    /// <summary>The revoke asked for it.</summary>
    public RevokeRequest? Revoke { get; init; }
}

/// <summary>A page of tasks.</summary>
/// <param name="Items">The tasks, newest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
public sealed record TaskListView(IReadOnlyList<TaskView> Items, string? NextCursor);
