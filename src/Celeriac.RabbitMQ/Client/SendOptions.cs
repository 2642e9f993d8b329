using Celeriac.Core.Protocol;

namespace Celeriac.RabbitMQ.Client;

/// <summary>Options for sending a task, the equivalent of <c>apply_async</c>'s keyword arguments.</summary>
public sealed record SendOptions
{
    /// <summary>The queue (routing key on the default exchange). Default <c>celery</c>.</summary>
    public string Queue { get; init; } = "celery";

    /// <summary>The task id; a new UUID when null.</summary>
    public string? TaskId { get; init; }

    /// <summary>Run no earlier than this time.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Run no earlier than this long from now (wins over <see cref="Eta"/>).</summary>
    public TimeSpan? Countdown { get; init; }

    /// <summary>Revoke the task if it has not started by this time.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Publish no result.</summary>
    public bool IgnoreResult { get; init; }

    /// <summary>The message priority.</summary>
    public byte Priority { get; init; }

    /// <summary>Hard time limit in seconds.</summary>
    public double? TimeLimit { get; init; }

    /// <summary>Soft time limit in seconds.</summary>
    public double? SoftTimeLimit { get; init; }

    /// <summary>The id of the task sending this one.</summary>
    public string? ParentId { get; init; }

    /// <summary>The id of the first task of the workflow.</summary>
    public string? RootId { get; init; }

    /// <summary>
    /// Tasks to send after this one succeeds, each with its result as first argument (Celery's <c>link=</c>). A
    /// signature with a <see cref="TaskSignature.TaskId"/> reports its result to this client: <c>client.GetResult(id)</c>.
    /// </summary>
    public IReadOnlyList<TaskSignature>? Link { get; init; }

    /// <summary>Tasks to send if this one fails, each with the failed task's id as first argument (Celery's <c>link_error=</c>).</summary>
    public IReadOnlyList<TaskSignature>? LinkError { get; init; }

    /// <summary>The defaults.</summary>
    public static SendOptions Default { get; } = new();
}
