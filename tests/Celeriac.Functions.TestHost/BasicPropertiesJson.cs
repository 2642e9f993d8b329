using System.Text;
using System.Text.Json;
using RabbitMQ.Client;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// Renders a delivery's properties the way the RabbitMQ extension's binding data reaches the worker: the host
/// serialises RabbitMQ.Client 6's <c>BasicProperties</c> with Json.NET, PascalCase, every member present, header
/// long strings as base64 (they are <c>byte[]</c> in that client), AMQP timestamps as <c>{"UnixTime": n}</c>.
/// </summary>
internal static class BasicPropertiesJson
{
    public static string Write(IReadOnlyBasicProperties properties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ContentType", properties.ContentType);
            json.WriteString("ContentEncoding", properties.ContentEncoding);
            json.WritePropertyName("Headers");
            if (properties.Headers is { } headers)
            {
                WriteTable(json, headers);
            }
            else
            {
                json.WriteNullValue();
            }

            json.WriteNumber("DeliveryMode", (int)properties.DeliveryMode);
            json.WriteNumber("Priority", properties.Priority);
            json.WriteString("CorrelationId", properties.CorrelationId);
            json.WriteString("ReplyTo", properties.ReplyTo);
            json.WriteString("Expiration", properties.Expiration);
            json.WriteString("MessageId", properties.MessageId);
            json.WriteStartObject("Timestamp");
            json.WriteNumber("UnixTime", properties.Timestamp.UnixTime);
            json.WriteEndObject();
            json.WriteString("Type", properties.Type);
            json.WriteString("UserId", properties.UserId);
            json.WriteString("AppId", properties.AppId);
            json.WriteString("ClusterId", properties.ClusterId);
            json.WriteNumber("ProtocolClassId", 60);
            json.WriteString("ProtocolClassName", "basic");
            json.WriteBoolean("Persistent", properties.Persistent);
            json.WriteNull("ReplyToAddress");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTable(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>> table)
    {
        json.WriteStartObject();
        foreach (var (key, value) in table)
        {
            json.WritePropertyName(key);
            WriteValue(json, value);
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case string text:
                // A short string (AMQP 's'): RabbitMQ.Client 6 reads it as text.
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int or long or short or byte or sbyte or uint or ushort:
                json.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case float or double:
                json.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            case AmqpTimestamp timestamp:
                json.WriteStartObject();
                json.WriteNumber("UnixTime", timestamp.UnixTime);
                json.WriteEndObject();
                break;
            case IEnumerable<KeyValuePair<string, object?>> nested:
                WriteTable(json, nested);
                break;
            case System.Collections.IEnumerable list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }
}
