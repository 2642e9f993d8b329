using System.Text.Json;

namespace Celeriac.Core.Protocol;

/// <summary>
/// A task to send after another one, Celery's signature (<c>add.s(10)</c>): for <c>link</c> (run with the result
/// prepended to <see cref="Args"/>) and <c>link_error</c> (run with the failed task's id prepended).
/// </summary>
/// <param name="Name">The task name, e.g. <c>tasks.add</c>.</param>
/// <param name="Args">Its own positional arguments, after the one it receives.</param>
public sealed record TaskSignature(string Name, params object?[] Args)
{
    /// <summary>Keyword arguments.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; init; }

    /// <summary>When true (Celery's <c>si()</c>) it receives nothing from the task before it.</summary>
    public bool Immutable { get; init; }

    /// <summary>The id it runs under; when set, the sending client can await its result. A new id when null.</summary>
    public string? TaskId { get; init; }

    /// <summary>The queue it goes to; Celery's default queue <c>celery</c> when null.</summary>
    public string? Queue { get; init; }

    /// <summary>
    /// The signature as a message carries it; <paramref name="replyTo"/> is where its rpc:// result goes. A chord body
    /// carries <paramref name="chordSize"/>, how many header parts it waits for (the <c>chord_size</c> Celery reads).
    /// </summary>
    public JsonElement ToJson(string? replyTo = null, int? chordSize = null)
    {
        var options = new Dictionary<string, object?>();
        if (TaskId is not null)
        {
            options["task_id"] = TaskId;
        }

        if (replyTo is not null)
        {
            options["reply_to"] = replyTo;
        }

        if (Queue is not null)
        {
            options["queue"] = Queue;
        }

        var signature = new Dictionary<string, object?>
        {
            ["task"] = Name,
            ["args"] = Args ?? [],
            ["kwargs"] = Kwargs ?? new Dictionary<string, object?>(),
            ["options"] = options,
            ["subtask_type"] = null,
            ["immutable"] = Immutable,
        };
        if (chordSize is { } size)
        {
            signature["chord_size"] = size;
        }

        return CeleryJson.ToElement(signature);
    }
}
