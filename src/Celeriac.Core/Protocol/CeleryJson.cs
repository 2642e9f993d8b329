using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>JSON settings shared by every Celery body Celeriac reads or writes.</summary>
public static class CeleryJson
{
    /// <summary>
    /// Options for task arguments and results: property names as written (Python sees what C# declares,
    /// camelCased like any web API), case-insensitive reads, and no HTML escaping so reprs stay readable.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The JSON value <c>null</c>.</summary>
    public static JsonElement Null { get; } = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>An empty JSON array.</summary>
    public static JsonElement EmptyArray { get; } = JsonDocument.Parse("[]").RootElement.Clone();

    /// <summary>An empty JSON object.</summary>
    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

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
        };
        options.Converters.Add(new KombuTypedValueConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
