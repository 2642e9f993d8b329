using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Writes a <see cref="JsonElement"/> (a task's arguments, a result) as its exact raw text: System.Text.Json's own
/// converter re-encodes strings and throws on a lone surrogate escape, which Celery's JSON writes for a Python
/// <c>str</c> holding one. Non-finite float markers stay markers here (the output is parsed again as JSON); they
/// become literals only on the wire (<see cref="CeleryJson.WriteValue"/>).
/// </summary>
internal sealed class PythonJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidOperationException("An undefined JsonElement has no JSON text.");
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (PythonJsonText.NeedsRawWrite(raw))
        {
            writer.WriteRawValue(raw, skipInputValidation: true);
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}
