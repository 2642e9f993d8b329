using System.Text.Encodings.Web;
using System.Text.Json;

namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>Compares JSON bodies by shape (keys in order, value kinds) and by content.</summary>
public static class JsonShape
{
    /// <summary>
    /// A signature of the keys (in order) and value kinds, nested: <c>{task_id:string,result:number,children:[]}</c>.
    /// Python's int and float are both <c>number</c>; true and false are both <c>bool</c>.
    /// </summary>
    public static string Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().Select(p => $"{p.Name}:{Of(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Of)) + "]",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };

    /// <summary>The top-level keys, in order.</summary>
    public static IReadOnlyList<string> Keys(JsonElement value) => value.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>
    /// The JSON text without insignificant whitespace (Python writes <c>", "</c> and <c>": "</c>, .NET writes
    /// neither), so two bodies compare byte for byte on content, key order and number spelling.
    /// </summary>
    public static string Normalize(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.RootElement.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
