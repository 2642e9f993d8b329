using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Reads the values kombu 5.3+ wraps as <c>{"__type__": T, "__value__": V}</c> (datetime, date, time,
/// decimal, uuid, bytes, base64) into the matching .NET type, and still accepts the plain strings older
/// kombu versions wrote. Writes plain JSON, which every kombu version reads.
/// </summary>
internal sealed class KombuTypedValueConverterFactory : JsonConverterFactory
{
    private static readonly Type[] s_supported =
    [
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(decimal), typeof(Guid), typeof(byte[]),
    ];

    public override bool CanConvert(Type typeToConvert) => Array.IndexOf(s_supported, typeToConvert) >= 0;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? typeTag = null;
            JsonElement value;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                using var document = JsonDocument.ParseValue(ref reader);
                if (!KombuTypedValue.TryUnwrap(document.RootElement, out typeTag, out value))
                {
                    throw new JsonException($"Expected a {typeof(T).Name}, got a JSON object.");
                }

                value = value.Clone();
            }
            else
            {
                using var document = JsonDocument.ParseValue(ref reader);
                value = document.RootElement.Clone();
            }

            return (T)KombuTypedValue.ConvertTo(typeof(T), typeTag, value);
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            switch (value)
            {
                case DateTime dateTime:
                    writer.WriteStringValue(CeleryTime.Format(dateTime.Kind == DateTimeKind.Unspecified
                        ? new DateTimeOffset(dateTime, TimeSpan.Zero)
                        : new DateTimeOffset(dateTime.ToUniversalTime(), TimeSpan.Zero)));
                    break;
                case DateTimeOffset dateTimeOffset:
                    writer.WriteStringValue(CeleryTime.Format(dateTimeOffset));
                    break;
                case DateOnly date:
                    writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case TimeOnly time:
                    writer.WriteStringValue(time.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));
                    break;
                case decimal number:
                    writer.WriteNumberValue(number);
                    break;
                case Guid guid:
                    writer.WriteStringValue(guid.ToString("D"));
                    break;
                case byte[] bytes:
                    writer.WriteBase64StringValue(bytes);
                    break;
                default:
                    throw new JsonException($"Cannot write {typeof(T).Name}.");
            }
        }
    }
}

/// <summary>kombu's typed-value wrapper.</summary>
internal static class KombuTypedValue
{
    public static bool TryUnwrap(JsonElement element, out string? typeTag, out JsonElement value)
    {
        typeTag = null;
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var count = 0;
        JsonElement tag = default;
        foreach (var property in element.EnumerateObject())
        {
            count++;
            if (property.NameEquals("__type__"))
            {
                tag = property.Value;
            }
            else if (property.NameEquals("__value__"))
            {
                value = property.Value;
            }
        }

        if (count != 2 || tag.ValueKind != JsonValueKind.String || value.ValueKind == JsonValueKind.Undefined)
        {
            return false;
        }

        typeTag = tag.GetString();
        return true;
    }

    /// <summary>True when the element contains a kombu wrapper with a type tag nobody knows.</summary>
    public static string? FindUnknownTypeTag(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (TryUnwrap(element, out var tag, out _))
                {
                    return tag is "datetime" or "date" or "time" or "decimal" or "uuid" or "bytes" or "base64" or PythonJsonText.FloatTypeTag ? null : tag ?? "";
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (FindUnknownTypeTag(property.Value) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUnknownTypeTag(item) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    public static object ConvertTo(Type target, string? typeTag, JsonElement value)
    {
        if (target == typeof(byte[]))
        {
            var text = value.GetString() ?? throw new JsonException("Expected bytes.");
            return typeTag == "bytes" ? Encoding.UTF8.GetBytes(text) : Convert.FromBase64String(text);
        }

        if (target == typeof(decimal))
        {
            return value.ValueKind == JsonValueKind.Number
                ? value.GetDecimal()
                : decimal.Parse(value.GetString() ?? throw new JsonException("Expected a decimal."), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        if (target == typeof(Guid))
        {
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("hex", out var hex))
            {
                return Guid.Parse(hex.GetString() ?? "");
            }

            return Guid.Parse(value.GetString() ?? throw new JsonException("Expected a UUID."));
        }

        var s = value.GetString() ?? throw new JsonException($"Expected a {target.Name} string.");
        if (target == typeof(DateOnly))
        {
            return DateOnly.Parse(s[..Math.Min(10, s.Length)], CultureInfo.InvariantCulture);
        }

        if (target == typeof(TimeOnly))
        {
            return TimeOnly.Parse(s, CultureInfo.InvariantCulture);
        }

        var parsed = CeleryTime.Parse(s) ?? throw new JsonException($"'{s}' is not an ISO 8601 time.");
        // Not a conditional expression: DateTime converts implicitly to DateTimeOffset, so both branches would box a DateTimeOffset.
        return target == typeof(DateTime) ? (object)parsed.UtcDateTime : parsed;
    }
}
