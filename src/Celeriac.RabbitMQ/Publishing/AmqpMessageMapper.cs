using System.Text;
using Celeriac.Core.Transport;
using RabbitMQ.Client;
using AmqpDeliveryModes = RabbitMQ.Client.DeliveryModes;
using DeliveryModes = Celeriac.Core.Transport.DeliveryModes;

namespace Celeriac.RabbitMQ.Publishing;

/// <summary>
/// Maps between RabbitMQ.Client's properties and Celeriac's <see cref="TransportMessage"/>. On the way in,
/// AMQP long strings (which the client hands over as bytes) become text; on the way out, text is written
/// as a long string ('S'), integers that fit as 32-bit ('I'), exactly the wire types Celery sends.
/// </summary>
internal static class AmqpMessageMapper
{
    public static BasicProperties ToProperties(TransportMessage message)
    {
        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            DeliveryMode = message.DeliveryMode == DeliveryModes.Persistent ? AmqpDeliveryModes.Persistent : AmqpDeliveryModes.Transient,
            Priority = message.Priority,
            Headers = ToAmqpTable(message.Headers),
        };
        if (!string.IsNullOrEmpty(message.CorrelationId))
        {
            properties.CorrelationId = message.CorrelationId;
        }

        if (!string.IsNullOrEmpty(message.ReplyTo))
        {
            properties.ReplyTo = message.ReplyTo;
        }

        if (!string.IsNullOrEmpty(message.Expiration))
        {
            properties.Expiration = message.Expiration;
        }

        return properties;
    }

    public static TransportMessage FromDelivery(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) => new()
    {
        // The client reuses the body buffer after the handler returns: copy it.
        Body = body.ToArray(),
        ContentType = properties.ContentType,
        ContentEncoding = properties.ContentEncoding,
        CorrelationId = properties.CorrelationId,
        ReplyTo = properties.ReplyTo,
        DeliveryMode = properties.DeliveryMode == AmqpDeliveryModes.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
        Priority = properties.Priority,
        Expiration = properties.Expiration,
        Headers = properties.Headers is { } headers ? FromAmqpTable(headers) : TransportMessage.EmptyHeaders,
    };

    public static Dictionary<string, object?> ToAmqpTable(IReadOnlyDictionary<string, object?> headers)
    {
        var table = new Dictionary<string, object?>(headers.Count, StringComparer.Ordinal);
        foreach (var (key, value) in headers)
        {
            table[key] = ToAmqp(value);
        }

        return table;
    }

    public static IReadOnlyDictionary<string, object?> FromAmqpTable(IDictionary<string, object?> table)
    {
        var headers = new Dictionary<string, object?>(table.Count, StringComparer.Ordinal);
        foreach (var (key, value) in table)
        {
            headers[key] = FromAmqp(value);
        }

        return headers;
    }

    private static object? ToAmqp(object? value) => value switch
    {
        null => null,
        string s => s,
        bool or int or double or float or decimal or byte or sbyte or short => value,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        long l => l,
        DateTimeOffset t => new AmqpTimestamp(t.ToUnixTimeSeconds()),
        IReadOnlyDictionary<string, object?> map => ToAmqpTable(map),
        System.Collections.IEnumerable list when value is not byte[] => list.Cast<object?>().Select(ToAmqp).ToList(),
        byte[] bytes => new BinaryTableValue(bytes),
        _ => value.ToString(),
    };

    private static object? FromAmqp(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        BinaryTableValue binary => binary.Bytes,
        AmqpTimestamp timestamp => DateTimeOffset.FromUnixTimeSeconds(timestamp.UnixTime),
        IDictionary<string, object?> map => FromAmqpTable(map),
        System.Collections.IList list => list.Cast<object?>().Select(FromAmqp).ToArray(),
        _ => value,
    };
}
