using System.Text.Json;

namespace Celeriac.Core.Protocol;

/// <summary>
/// A Celery task message, decoded: what to run (<see cref="Name"/>, <see cref="Args"/>, <see cref="Kwargs"/>)
/// and how (<see cref="Eta"/>, <see cref="Expires"/>, time limits, where the result goes).
/// </summary>
public sealed record TaskMessage
{
    /// <summary>The task id (a UUID string).</summary>
    public required string Id { get; init; }

    /// <summary>The registered task name, e.g. <c>tasks.add</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Positional arguments: a JSON array.</summary>
    public JsonElement Args { get; init; } = CeleryJson.EmptyArray;

    /// <summary>Keyword arguments: a JSON object.</summary>
    public JsonElement Kwargs { get; init; } = CeleryJson.EmptyObject;

    /// <summary>Callbacks, errbacks, chain and chord carried with the message.</summary>
    public TaskEmbed Embed { get; init; } = TaskEmbed.None;

    /// <summary>How many times this task was retried before (0 on the first run).</summary>
    public int Retries { get; init; }

    /// <summary>Not to be run before this time.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>Revoked (not run) when it has not started by this time.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Hard time limit in seconds: the task is stopped and fails.</summary>
    public double? TimeLimit { get; init; }

    /// <summary>Soft time limit in seconds: the task's cancellation token is signalled; it may recover.</summary>
    public double? SoftTimeLimit { get; init; }

    /// <summary>The id of the first task of the workflow; defaults to <see cref="Id"/>.</summary>
    public string? RootId { get; init; }

    /// <summary>The id of the task that sent this one.</summary>
    public string? ParentId { get; init; }

    /// <summary>The group this task belongs to.</summary>
    public string? GroupId { get; init; }

    /// <summary>The position within its group.</summary>
    public int? GroupIndex { get; init; }

    /// <summary>A name to show in logs and events instead of <see cref="Name"/>.</summary>
    public string? Shadow { get; init; }

    /// <summary>The sender's repr of the arguments (at most 1024 characters).</summary>
    public string? ArgsRepr { get; init; }

    /// <summary>The sender's repr of the keyword arguments.</summary>
    public string? KwargsRepr { get; init; }

    /// <summary>Who sent it: <c>gen&lt;pid&gt;@&lt;host&gt;</c>.</summary>
    public string? Origin { get; init; }

    /// <summary>When true no result is published.</summary>
    public bool IgnoreResult { get; init; }

    /// <summary>The rpc:// reply queue; empty or null means no result is published.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The correlation id results carry; the task id unless the sender set another.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The message priority.</summary>
    public byte Priority { get; init; }

    /// <summary>
    /// The W3C trace context of the sender (the <c>traceparent</c> header, as OpenTelemetry's Celery instrumentation
    /// writes it), so the worker's span joins the sender's trace.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> header that goes with <see cref="TraceParent"/>.</summary>
    public string? TraceState { get; init; }

    /// <summary>1 for the legacy body-only protocol, 2 for headers plus body.</summary>
    public int ProtocolVersion { get; init; } = 2;

    /// <summary>The name logs and events show: <see cref="Shadow"/> when set, else <see cref="Name"/>.</summary>
    public string DisplayName => string.IsNullOrEmpty(Shadow) ? Name : Shadow;
}

/// <summary>The workflow part of a message body: signatures to run after this task.</summary>
/// <param name="Callbacks">Signatures applied with the result on success.</param>
/// <param name="Errbacks">Signatures applied on failure.</param>
/// <param name="Chain">The rest of a chain, stored in reverse order.</param>
/// <param name="Chord">The chord body, when this task is part of a chord header.</param>
public sealed record TaskEmbed(JsonElement? Callbacks, JsonElement? Errbacks, JsonElement? Chain, JsonElement? Chord)
{
    /// <summary>No workflow.</summary>
    public static TaskEmbed None { get; } = new(null, null, null, null);

    /// <summary>True when any part is set.</summary>
    public bool HasWork => IsSet(Callbacks) || IsSet(Errbacks) || IsSet(Chain) || IsSet(Chord);

    private static bool IsSet(JsonElement? element) => element is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } e
        && (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > 0);
}
