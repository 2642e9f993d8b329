using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Strings as Python holds them: one with a lone surrogate (<c>"\ud800"</c>, which Celery's JSON reads and writes)
/// binds to a .NET string that keeps it, and goes out escaped the same way, where System.Text.Json alone refuses both.
/// </summary>
internal sealed class PythonStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, got {reader.TokenType}.");
        }

        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape: unescape it ourselves.
            return PythonJsonText.Unescape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        if (HasLoneSurrogate(value))
        {
            writer.WriteRawValue(PythonJsonText.Quote(value), skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ref reader, typeToConvert, options)!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);

    internal static bool HasLoneSurrogate(string value)
    {
        var span = value.AsSpan();
        for (var i = span.IndexOfAnyInRange('\ud800', '\udfff'); i >= 0 && i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
