using System.Text.Json;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>Asserts that what Celeriac publishes has the shape of what Celery published.</summary>
public static class GoldenAssert
{
    /// <summary>The fields of every event that differ between any two sends.</summary>
    public static readonly string[] EventVaryingFields = ["pid", "clock", "timestamp", "runtime"];

    /// <summary>
    /// Same exchange, routing key (unless <paramref name="routingKey"/> overrides it), basic properties
    /// (content type and encoding, delivery mode, priority, which of correlation_id/reply_to/expiration are
    /// set) and header names, order and AMQP wire types.
    /// </summary>
    public static void SameEnvelope(GoldenMessage golden, OutgoingMessage ours, string? routingKey = null)
    {
        Assert.Equal(golden.Exchange, ours.Exchange);
        Assert.Equal(routingKey ?? golden.RoutingKey, ours.RoutingKey);
        var message = ours.Message;
        Assert.Equal(golden.Property("content_type"), message.ContentType);
        Assert.Equal(golden.Property("content_encoding"), message.ContentEncoding);
        Assert.Equal(golden.IntProperty("delivery_mode"), message.DeliveryMode);
        Assert.Equal(golden.IntProperty("priority"), message.Priority);
        Assert.Equal(golden.Property("correlation_id") is not null, message.CorrelationId is not null);
        Assert.Equal(golden.Property("reply_to") is not null, !string.IsNullOrEmpty(message.ReplyTo));
        Assert.Equal(golden.Property("expiration"), message.Expiration);
        Assert.Equal(golden.HeaderWireTypes, AmqpWireTypes.Of(message.Headers));
    }

    /// <summary>
    /// One event: the same keys in the same order with the same value kinds, and the same values except
    /// for <see cref="EventVaryingFields"/> and <paramref name="alsoVarying"/>.
    /// </summary>
    public static void SameEvent(JsonElement golden, JsonElement ours, params string[] alsoVarying)
    {
        Assert.Equal(JsonShape.Keys(golden), JsonShape.Keys(ours));
        foreach (var field in golden.EnumerateObject())
        {
            var mine = ours.GetProperty(field.Name);
            Assert.True(JsonShape.Of(field.Value) == JsonShape.Of(mine),
                $"'{field.Name}': Celery sent {JsonShape.Of(field.Value)} ({field.Value.GetRawText()}), Celeriac {JsonShape.Of(mine)} ({mine.GetRawText()})");
            if (!EventVaryingFields.Contains(field.Name) && !alsoVarying.Contains(field.Name))
            {
                Assert.True(JsonElement.DeepEquals(field.Value, mine) || SameNumber(field.Value, mine),
                    $"'{field.Name}': Celery sent {field.Value.GetRawText()}, Celeriac {mine.GetRawText()}");
            }
        }
    }

    /// <summary>The golden event of a type: the body itself, or the element of a <c>task.multi</c> list.</summary>
    public static JsonElement EventOfType(GoldenMessage golden, string type) => golden.BodyJson.ValueKind == JsonValueKind.Array
        ? golden.BodyJson.EnumerateArray().Single(e => e.GetProperty("type").GetString() == type)
        : golden.BodyJson;

    // Python writes 2.0 for a float, .NET 2 for the same double; both are the number two.
    private static bool SameNumber(JsonElement a, JsonElement b) =>
        a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number && a.GetDouble().Equals(b.GetDouble());
}
