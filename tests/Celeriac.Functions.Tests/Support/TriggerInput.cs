using System.Text;
using Celeriac.Core.Protocol;
using Celeriac.Functions.TestHost;
using RabbitMQ.Client;

namespace Celeriac.Functions.Tests.Support;

/// <summary>
/// A task message as the RabbitMQ trigger hands it to the function: the body, and binding data as the host sends it
/// (BasicProperties as Json.NET renders RabbitMQ.Client's properties, header long strings as base64).
/// </summary>
public static class TriggerInput
{
    public static (byte[] Body, Dictionary<string, object?> BindingData) For(TaskMessage task, int? requeueCount = null)
    {
        var message = TaskMessageCodec.Encode(task);
        var headers = message.Headers.ToDictionary(h => h.Key, h => Received(h.Value), StringComparer.Ordinal);
        if (requeueCount is { } count)
        {
            headers["x-ms-rabbitmq-requeuecount"] = count;
        }

        var properties = new BasicProperties
        {
            ContentType = message.ContentType,
            ContentEncoding = message.ContentEncoding,
            CorrelationId = message.CorrelationId,
            ReplyTo = message.ReplyTo,
            DeliveryMode = global::RabbitMQ.Client.DeliveryModes.Persistent,
            Headers = headers,
        };
        var bindingData = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConsumerTag"] = "amq.ctag-unit",
            ["DeliveryTag"] = "1",
            ["Redelivered"] = "false",
            ["Exchange"] = "",
            ["RoutingKey"] = "celery",
            ["BasicProperties"] = BasicPropertiesJson.Write(properties),
        };
        return (message.Body.ToArray(), bindingData);
    }

    // What a consumer reads back: AMQP long strings are bytes, tables and arrays hold the same.
    private static object? Received(object? value) => value switch
    {
        string text => Encoding.UTF8.GetBytes(text),
        IDictionary<string, object?> table => table.ToDictionary(p => p.Key, p => Received(p.Value)),
        object?[] list => list.Select(Received).ToList(),
        _ => value,
    };
}
