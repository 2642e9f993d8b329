using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>JSON settings shared by every Celery body Celeriac reads or writes.</summary>
public static class CeleryJson
{
    /// <summary>
    /// The deepest nesting read or written. Python's json (so Celery's) nests until its recursion limit (1000 by
    /// default); System.Text.Json's default, 64, refused messages Celery sends.
    /// </summary>
    public const int MaxDepth = 1000;

    /// <summary>How task bodies and results are parsed: Python's nesting depth.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Options for task arguments and results: property names as written (Python sees what C# declares,
    /// camelCased like any web API), case-insensitive reads, and no HTML escaping so reprs stay readable.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>
    /// Writes a <see cref="JsonElement"/> as its exact raw text, for hosts that serialise task arguments and results
    /// with options of their own (the HTTP API): the default converter throws on a lone surrogate escape, which
    /// Celery's JSON writes and the worker accepts.
    /// </summary>
    public static JsonConverter<JsonElement> RawElementConverter { get; } = new PythonJsonElementConverter();

    /// <summary>The JSON value <c>null</c>.</summary>
    public static JsonElement Null { get; } = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>An empty JSON array.</summary>
    public static JsonElement EmptyArray { get; } = JsonDocument.Parse("[]").RootElement.Clone();

    /// <summary>An empty JSON object.</summary>
    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// Parses a body as Python's json reads it: nesting up to <see cref="MaxDepth"/>, and the bare <c>NaN</c>,
    /// <c>Infinity</c> and <c>-Infinity</c> Celery writes for non-finite floats (kept as markers, see
    /// <see cref="PythonJsonText"/>). Throws <see cref="JsonException"/> for anything else that is not JSON.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8)
    {
        // System.Text.Json leaves bytes inside strings unchecked until they are read; Python's json refuses them at once.
        if (!Utf8.IsValid(utf8.Span))
        {
            throw new JsonException("The text is not valid UTF-8.");
        }

        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException) when (PythonJsonText.TryReplaceLiterals(utf8.Span, out var replaced))
        {
            // Only bodies that are not standard JSON pay for the second pass.
            return JsonDocument.Parse(replaced, DocumentOptions);
        }
    }

    /// <summary>
    /// Writes a value exactly as it came (lone surrogate escapes included, which System.Text.Json cannot re-encode),
    /// with non-finite float markers as the bare literals Python's json reads.
    /// </summary>
    public static void WriteValue(Utf8JsonWriter writer, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (PythonJsonText.NeedsRawWrite(raw))
        {
            writer.WriteRawValue(PythonJsonText.RestoreLiterals(raw), skipInputValidation: true);
        }
        else
        {
            // The common case, byte for byte as before: compact, re-encoded by the writer.
            value.WriteTo(writer);
        }
    }

    /// <summary>A string value as Python sees it, lone surrogates included (where <see cref="JsonElement.GetString"/> throws).</summary>
    public static string GetString(JsonElement value)
    {
        try
        {
            return value.GetString() ?? "";
        }
        catch (InvalidOperationException) when (value.ValueKind == JsonValueKind.String)
        {
            var raw = JsonMarshal.GetRawUtf8Value(value);
            return PythonJsonText.Unescape(raw[1..^1]);
        }
    }

    /// <summary>Serializes a .NET value to a detached <see cref="JsonElement"/>.</summary>
    public static JsonElement ToElement(object? value, JsonSerializerOptions? options = null) => value switch
    {
        null => Null,
        JsonElement element => element,
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), options ?? Options),
    };

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
            MaxDepth = MaxDepth,
        };
        options.Converters.Add(new KombuTypedValueConverterFactory());
        options.Converters.Add(new PythonFloatConverter());
        options.Converters.Add(new PythonSingleConverter());
        options.Converters.Add(new BigIntegerConverter());
        options.Converters.Add(new PythonStringConverter());
        options.Converters.Add(new PythonJsonElementConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
