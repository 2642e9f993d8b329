using System.Text.Json;

namespace Celeriac.Dashboard.Broker;

/// <summary>A parked message as the page shows it: why it was parked, its headers and its body.</summary>
internal sealed record ParkedMessageView(string? Reason, string? TaskId, string? TaskName, string RoutingKey, bool Redelivered, JsonElement Headers,
    JsonElement Properties, string Payload, string PayloadEncoding)
{
    /// <summary>The header <c>RabbitMqParkingLot</c> writes the reason to.</summary>
    public const string ReasonHeader = "x-celeriac-parked-reason";

    public static ParkedMessageView From(JsonElement message)
    {
        var properties = message.TryGetProperty("properties", out var p) ? p.Clone() : default;
        var headers = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("headers", out var h) ? h.Clone() : default;
        string? Header(string name) =>
            headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        return new ParkedMessageView(Header(ReasonHeader), Header("id"), Header("task"),
            message.TryGetProperty("routing_key", out var key) ? key.GetString() ?? "" : "",
            message.TryGetProperty("redelivered", out var redelivered) && redelivered.ValueKind == JsonValueKind.True,
            headers, properties,
            message.TryGetProperty("payload", out var payload) ? payload.GetString() ?? "" : "",
            message.TryGetProperty("payload_encoding", out var encoding) ? encoding.GetString() ?? "string" : "string");
    }
}
