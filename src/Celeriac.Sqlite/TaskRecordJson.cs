using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.Sqlite;

/// <summary>
/// A record as the store keeps it: the record as JSON, minus the three free-form JSON values (args, kwargs,
/// result), which get their own columns as their exact raw text. So they round-trip byte for byte, text
/// search reads the same text <see cref="TaskRecordFilter"/> reads, and nothing is stored twice.
/// </summary>
internal static class TaskRecordJson
{
    /// <summary>The JSON path of <see cref="TaskRecord.Revoke"/> in the record column, for SQL that reads it alone.</summary>
    public const string RevokePath = "$.revoke";

    private static readonly JsonSerializerOptions s_options = CreateOptions();

    /// <summary>The columns a record is written as.</summary>
    public static StoredRecord ToStored(TaskRecord record) => new(
        JsonSerializer.Serialize(record with { Args = null, Kwargs = null, Result = null }, s_options),
        RawText(record.Args),
        RawText(record.Kwargs),
        RawText(record.Result));

    /// <summary>The record from its columns.</summary>
    public static TaskRecord FromStored(string json, string? args, string? kwargs, string? result)
    {
        var record = JsonSerializer.Deserialize<TaskRecord>(json, s_options)
            ?? throw new InvalidDataException("A task record row holds JSON null.");
        return record with { Args = Parse(args), Kwargs = Parse(kwargs), Result = Parse(result) };
    }

    // An undefined element (default(JsonElement)) has no text; it is stored as absent.
    private static string? RawText(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Undefined } e ? e.GetRawText() : null;

    // As deep as the worker reads task bodies: what it accepted must read back (the default, 64, made the record of a
    // task nested deeper unreadable, and the worker redelivered it forever).
    private static JsonElement? Parse(string? text) => text is null ? null : JsonElement.Parse(text, CeleryJson.DocumentOptions);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Stored, never served to a browser: keep non-ASCII text readable for someone using the sqlite3 shell.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = CeleryJson.MaxDepth,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropComputedProperties } },
        };
        options.Converters.Add(new TaskStateJsonConverter());
        options.MakeReadOnly();
        return options;
    }

    // IsFinal, TaskError.Message and TaskError.Repr are derived: writing them would only cost space.
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

    /// <summary>States by their wire names (<c>SUCCESS</c>), as Celery and the state column spell them.</summary>
    private sealed class TaskStateJsonConverter : JsonConverter<TaskState>
    {
        public override TaskState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TaskStates.TryParseWireName(reader.GetString(), out var state) ? state : throw new JsonException($"'{reader.GetString()}' is not a task state.");

        public override void Write(Utf8JsonWriter writer, TaskState value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToWireName());
    }
}

/// <summary>The columns of a stored record.</summary>
/// <param name="Json">The record without args, kwargs and result.</param>
/// <param name="Args">The args' raw JSON text.</param>
/// <param name="Kwargs">The kwargs' raw JSON text.</param>
/// <param name="Result">The result's raw JSON text.</param>
internal readonly record struct StoredRecord(string Json, string? Args, string? Kwargs, string? Result);
