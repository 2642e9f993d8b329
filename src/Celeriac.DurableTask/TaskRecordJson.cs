using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.DurableTask;

/// <summary>
/// The JSON text the entity keeps as its state and receives as an operation's input: a record, and a change
/// (a task id and a transition). Celeriac writes and reads this text itself, and the Durable runtime only ever
/// sees a string, so args, kwargs and results keep their exact raw text whatever serializer the host configures.
/// </summary>
internal static class TaskRecordJson
{
    private static readonly JsonSerializerOptions s_options = CreateOptions();

    /// <summary>The record as text.</summary>
    public static string Write(TaskRecord record) => JsonSerializer.Serialize(record, s_options);

    /// <summary>The record from its text; null for no text (an entity without state).</summary>
    /// <exception cref="JsonException">The text is not a record.</exception>
    public static TaskRecord? Read(string? json) => string.IsNullOrEmpty(json)
        ? null
        : JsonSerializer.Deserialize<TaskRecord>(json, s_options) ?? throw new JsonException("A task record entity holds JSON null.");

    /// <summary>A change as the store sends it to the entity.</summary>
    public static string WriteChange(string taskId, TaskTransition transition) =>
        JsonSerializer.Serialize(new TaskRecordChange(taskId, transition), s_options);

    /// <summary>A change as the entity receives it.</summary>
    /// <exception cref="JsonException">The text is not a change.</exception>
    public static TaskRecordChange ReadChange(string json)
    {
        var change = JsonSerializer.Deserialize<TaskRecordChange>(json, s_options);
        if (change is null || string.IsNullOrEmpty(change.TaskId) || change.Transition is null)
        {
            throw new JsonException("A task record change needs a taskId and a transition.");
        }

        return change;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropComputedProperties, NameTransitions } },
        };
        options.Converters.Add(new TaskStateConverter());
        options.Converters.Add(new RawJsonElementConverter());
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    // IsFinal, TaskError.Message/Repr and a transition's Target/From/FromNothing are derived from the rest.
    private static void DropComputedProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i] is { Set: null, AssociatedParameter: null })
            {
                type.Properties.RemoveAt(i);
            }
        }
    }

    // Every transition by a stable name, so a change written by one version reads in another.
    private static void NameTransitions(JsonTypeInfo type)
    {
        if (type.Type != typeof(TaskTransition))
        {
            return;
        }

        type.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "kind",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
            DerivedTypes =
            {
                new JsonDerivedType(typeof(TaskAccepted), "accepted"),
                new JsonDerivedType(typeof(TaskReceived), "received"),
                new JsonDerivedType(typeof(TaskStarted), "started"),
                new JsonDerivedType(typeof(TaskRetried), "retried"),
                new JsonDerivedType(typeof(TaskFinished), "finished"),
                new JsonDerivedType(typeof(TaskRevokeRequested), "revokeRequested"),
            },
        };
    }

    /// <summary>States by their wire names (<c>SUCCESS</c>), as Celery spells them.</summary>
    private sealed class TaskStateConverter : JsonConverter<TaskState>
    {
        public override TaskState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TaskStates.TryParseWireName(reader.GetString(), out var state) ? state : throw new JsonException($"'{reader.GetString()}' is not a task state.");

        public override void Write(Utf8JsonWriter writer, TaskState value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToWireName());
    }

    /// <summary>
    /// A JSON value written as its exact raw text and read back with it (a parsed element keeps its source
    /// text), so <c>[2, 3]</c> stays <c>[2, 3]</c>, escapes and number spellings included.
    /// </summary>
    private sealed class RawJsonElementConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonElement.ParseValue(ref reader);

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
            }
        }
    }
}

/// <summary>A change to one task's record: what the store signals and the entity applies.</summary>
/// <param name="TaskId">The task id (the record's id; the entity's key ends with it).</param>
/// <param name="Transition">The transition to apply.</param>
internal sealed record TaskRecordChange(string TaskId, TaskTransition Transition);
