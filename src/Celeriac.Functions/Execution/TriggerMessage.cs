using System.Globalization;
using System.Text;
using System.Text.Json;
using Celeriac.Core.Transport;

namespace Celeriac.Functions.Execution;

/// <summary>
/// Rebuilds the delivered AMQP message from what the RabbitMQ trigger passes: the body (the trigger parameter) and
/// the trigger's binding data, where <c>BasicProperties</c> is the host's Json.NET rendering of RabbitMQ.Client's
/// properties (PascalCase). AMQP long strings are <c>byte[]</c> in that client, so every string inside
/// <c>Headers</c> arrives base64-encoded; numbers, booleans, nulls, arrays and tables arrive as JSON.
/// </summary>
internal static class TriggerMessage
{
    /// <summary>The header the RabbitMQ listener counts its republished retries in.</summary>
    public const string RequeueCountHeader = "x-ms-rabbitmq-requeuecount";

    public static Delivery ToDelivery(ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, object?> bindingData, string queue, IDeliveryHandle handle)
    {
        ArgumentNullException.ThrowIfNull(bindingData);
        var message = FromProperties(body, Text(bindingData, "BasicProperties"));
        var requeueCount = message.Headers.TryGetValue(RequeueCountHeader, out var count) && count is long n ? n : 0;
        return new Delivery
        {
            Message = message,
            Handle = handle,
            Queue = queue,
            Exchange = Text(bindingData, "Exchange") ?? "",
            RoutingKey = Text(bindingData, "RoutingKey") ?? queue,
            // A copy the listener republished after a failed attempt ran before, as a broker redelivery would have.
            Redelivered = Text(bindingData, "Redelivered") is "true" || requeueCount > 0,
        };
    }

    public static TransportMessage FromProperties(ReadOnlyMemory<byte> body, string? basicPropertiesJson)
    {
        if (string.IsNullOrEmpty(basicPropertiesJson))
        {
            return new TransportMessage { Body = body };
        }

        using var document = JsonDocument.Parse(basicPropertiesJson);
        var p = document.RootElement;
        return new TransportMessage
        {
            Body = body,
            ContentType = String(p, "ContentType"),
            ContentEncoding = String(p, "ContentEncoding"),
            CorrelationId = String(p, "CorrelationId"),
            ReplyTo = String(p, "ReplyTo"),
            DeliveryMode = Number(p, "DeliveryMode") == DeliveryModes.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
            Priority = (byte)Math.Clamp(Number(p, "Priority"), 0, 255),
            Expiration = String(p, "Expiration"),
            Headers = p.TryGetProperty("Headers", out var headers) && headers.ValueKind == JsonValueKind.Object
                ? Table(headers)
                : TransportMessage.EmptyHeaders,
        };
    }

    private static Dictionary<string, object?> Table(JsonElement table)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in table.EnumerateObject())
        {
            values[property.Name] = Value(property.Value);
        }

        return values;
    }

    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Base64Text(value.GetString()!),
        JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(Value).ToArray(),
        JsonValueKind.Object => Table(value),
        _ => null,
    };

    // Long strings are bytes in RabbitMQ.Client, which Json.NET writes as base64. A string that is not base64 was
    // not written that way (a short string, say) and is taken as it is.
    private static string Base64Text(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : text;
    }

    private static string? String(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Number(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;

    // Binding data values are strings (string or JSON typed data, JSON as its raw text) or bytes.
    private static string? Text(IReadOnlyDictionary<string, object?> bindingData, string key) => bindingData.TryGetValue(key, out var value)
        ? value switch
        {
            string s => s,
            ReadOnlyMemory<byte> bytes => Encoding.UTF8.GetString(bytes.Span),
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            null => null,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        }
        : null;
}
