using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Binds Python floats, <c>nan</c>, <c>inf</c> and <c>-inf</c> included (see <see cref="PythonJsonText"/>), to
/// <see cref="double"/> and writes non-finite doubles as the markers that go out as bare literals.
/// </summary>
internal sealed class PythonFloatConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadFloat(ref reader);

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => WriteFloat(writer, value);

    internal static double ReadFloat(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDouble();
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (KombuTypedValue.TryUnwrap(document.RootElement, out var tag, out var value) && tag == PythonJsonText.FloatTypeTag
                && value.ValueKind == JsonValueKind.String && PythonJsonText.TryParseLiteral(value.GetString(), out var special))
            {
                return special;
            }
        }

        throw new JsonException($"Expected a number, got {reader.TokenType}.");
    }

    internal static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteRawValue(PythonJsonText.Marker(value));
        }
    }
}

/// <summary>The same for <see cref="float"/>.</summary>
internal sealed class PythonSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (float)PythonFloatConverter.ReadFloat(ref reader);

    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => PythonFloatConverter.WriteFloat(writer, value);
}
