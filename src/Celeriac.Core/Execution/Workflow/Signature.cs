using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>
/// A Celery signature as a message carries it (<c>callbacks</c>, <c>errbacks</c>, <c>chain</c> in the embed):
/// <c>{"task", "args", "kwargs", "options", "subtask_type", "immutable"}</c>. A group or a chain keeps its members
/// in <c>kwargs.tasks</c>.
/// </summary>
internal sealed record Signature
{
    public required string Task { get; init; }

    public JsonElement Args { get; init; } = CeleryJson.EmptyArray;

    public JsonElement Kwargs { get; init; } = CeleryJson.EmptyObject;

    public JsonElement Options { get; init; } = CeleryJson.EmptyObject;

    /// <summary>null for a task; <c>group</c>, <c>chain</c>, <c>chord</c> for canvas types.</summary>
    public string? SubtaskType { get; init; }

    /// <summary>An immutable signature (<c>si()</c>) takes no result from its parent.</summary>
    public bool Immutable { get; init; }

    /// <summary>The signature as it came, to pass on unchanged (a chain step carried further).</summary>
    public JsonElement Raw { get; init; } = CeleryJson.EmptyObject;

    /// <summary>Reads one signature; throws <see cref="FormatException"/> when the JSON is not one.</summary>
    public static Signature Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A signature must be a JSON object, not {element.ValueKind}.");
        }

        var subtaskType = element.TryGetProperty("subtask_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        var task = element.TryGetProperty("task", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        if (string.IsNullOrEmpty(task))
        {
            // Canvas types name themselves ("celery.group", "celery.chain"); a plain task must name its task.
            task = subtaskType is null ? throw new FormatException("A signature has no 'task'.") : $"celery.{subtaskType}";
        }

        return new Signature
        {
            Task = task,
            Args = Member(element, "args", JsonValueKind.Array) ?? CeleryJson.EmptyArray,
            Kwargs = Member(element, "kwargs", JsonValueKind.Object) ?? CeleryJson.EmptyObject,
            Options = Member(element, "options", JsonValueKind.Object) ?? CeleryJson.EmptyObject,
            SubtaskType = subtaskType,
            Immutable = element.TryGetProperty("immutable", out var immutable) && immutable.ValueKind == JsonValueKind.True,
            Raw = element.Clone(),
        };
    }

    /// <summary>Reads a signature or a list of them (Celery accepts both for <c>link</c> and <c>link_error</c>).</summary>
    public static IReadOnlyList<Signature> ParseList(JsonElement? element) => element switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Select(Parse).ToArray(),
        { ValueKind: JsonValueKind.Object } one => [Parse(one)],
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => [],
        { } other => throw new FormatException($"Expected a signature or a list of signatures, not {other.ValueKind}."),
    };

    /// <summary>The members of a group or a chain, in order.</summary>
    public IReadOnlyList<Signature> Members =>
        Kwargs.TryGetProperty("tasks", out var tasks) ? ParseList(tasks) : [];

    public string? GetString(string option) =>
        Options.TryGetProperty(option, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public double? GetNumber(string option) =>
        Options.TryGetProperty(option, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    public bool? GetBoolean(string option) =>
        Options.TryGetProperty(option, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public JsonElement? GetOption(string option) =>
        Options.TryGetProperty(option, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement? Member(JsonElement element, string name, JsonValueKind kind) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == kind ? value.Clone() : null;
}
