using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Control;

/// <summary>
/// A remote-control (pidbox) command: <c>{"method", "arguments", "destination", "pattern", "matcher",
/// "ticket", "reply_to"}</c> with <c>clock</c> and <c>expires</c> headers.
/// </summary>
public sealed record ControlRequest
{
    /// <summary>The command, e.g. <c>revoke</c>, <c>ping</c>, <c>active</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The command's arguments (a JSON object).</summary>
    public JsonElement Arguments { get; init; } = CeleryJson.EmptyObject;

    /// <summary>The node names it is for; null or empty means every node (unless a pattern is given).</summary>
    public IReadOnlyList<string>? Destination { get; init; }

    /// <summary>A node name pattern, used with <see cref="Matcher"/>.</summary>
    public string? Pattern { get; init; }

    /// <summary><c>glob</c> or <c>pcre</c>.</summary>
    public string? Matcher { get; init; }

    /// <summary>The id the caller matches replies by; null when no reply is wanted.</summary>
    public string? Ticket { get; init; }

    /// <summary>The exchange replies go to.</summary>
    public string? ReplyExchange { get; init; }

    /// <summary>The routing key replies go with.</summary>
    public string? ReplyRoutingKey { get; init; }

    /// <summary>The sender's clock.</summary>
    public long? Clock { get; init; }

    /// <summary>When the command expires (Unix seconds); null or 0 means never.</summary>
    public double? Expires { get; init; }

    /// <summary>True when the caller waits for a reply.</summary>
    public bool WantsReply => !string.IsNullOrEmpty(Ticket) && !string.IsNullOrEmpty(ReplyRoutingKey);

    /// <summary>A string argument, or null.</summary>
    public string? GetString(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A boolean argument, or false.</summary>
    public bool GetBoolean(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>An argument that is a string or a list of strings (as <c>task_id</c> is).</summary>
    public IReadOnlyList<string> GetStrings(string name)
    {
        if (Arguments.ValueKind != JsonValueKind.Object || !Arguments.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray(),
            _ => [],
        };
    }

    /// <summary>Reads a pidbox message. Throws <see cref="MessageDecodeException"/> when it is not one.</summary>
    public static ControlRequest Decode(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TaskMessageCodec.IsJson(message.ContentType))
        {
            throw new MessageDecodeException($"Content type '{message.ContentType}' is not accepted; only {TaskMessageCodec.JsonContentType} is.");
        }

        try
        {
            using var document = JsonDocument.Parse(TaskMessageCodec.Decompress(message.Body, HeaderValues.GetString(message.Headers, "compression")));
            var root = document.RootElement;
            var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()!
                : throw new MessageDecodeException("The control message has no 'method'.");
            string? replyExchange = null, replyRoutingKey = null;
            if (root.TryGetProperty("reply_to", out var replyTo) && replyTo.ValueKind == JsonValueKind.Object)
            {
                replyExchange = OptionalString(replyTo, "exchange");
                replyRoutingKey = OptionalString(replyTo, "routing_key");
            }

            IReadOnlyList<string>? destination = root.TryGetProperty("destination", out var d) && d.ValueKind == JsonValueKind.Array
                ? d.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
                : null;

            return new ControlRequest
            {
                Method = method,
                Arguments = root.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object ? a.Clone() : CeleryJson.EmptyObject,
                Destination = destination,
                Pattern = OptionalString(root, "pattern"),
                Matcher = OptionalString(root, "matcher"),
                Ticket = OptionalString(root, "ticket"),
                ReplyExchange = replyExchange,
                ReplyRoutingKey = replyRoutingKey,
                Clock = message.Headers.TryGetValue("clock", out var clock) ? HeaderValues.AsInteger(clock, "clock") : null,
                Expires = message.Headers.TryGetValue("expires", out var expires) ? HeaderValues.AsDouble(expires, "expires") : null,
            };
        }
        catch (JsonException ex)
        {
            throw new MessageDecodeException($"The control message is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
