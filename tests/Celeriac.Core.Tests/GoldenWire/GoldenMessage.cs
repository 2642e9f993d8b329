using System.Text;
using System.Text.Json;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>
/// One captured Celery 5.2.6 message (see README.md): where it went, its properties, its headers in the
/// neutral model of <see cref="TransportMessage"/>, the AMQP type letter of each header, and the body.
/// </summary>
public sealed class GoldenMessage
{
    private GoldenMessage(string file, JsonElement root)
    {
        File = file;
        var hasDeliveryInfo = root.TryGetProperty("delivery_info", out var deliveryInfo);
        Exchange = (hasDeliveryInfo ? deliveryInfo : root).GetProperty("exchange").GetString()!;
        RoutingKey = (hasDeliveryInfo ? deliveryInfo : root).GetProperty("routing_key").GetString()!;
        Properties = root.GetProperty("properties");
        var headers = Properties.TryGetProperty("headers", out var h) ? h : Properties.GetProperty("application_headers");
        Headers = (IReadOnlyDictionary<string, object?>)ToNeutral(headers)!;

        // Two capture layouts: the firehose one wraps tables as {"F": {...}}, basic_get's lists the headers directly.
        var wireTypes = root.GetProperty("properties_wire_types");
        var headerTypes = wireTypes.TryGetProperty("F", out var table)
            ? table.GetProperty("headers").GetProperty("F")
            : wireTypes.GetProperty("application_headers");
        HeaderWireTypes = headerTypes.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, AmqpWireTypes.Of(p.Value))).ToArray();

        var body = root.TryGetProperty("body_raw", out var raw) ? raw.GetString()! : root.GetProperty("body").GetString()!;
        Body = Encoding.UTF8.GetBytes(body);
        BodyJson = JsonDocument.Parse(Body).RootElement.Clone();
    }

    /// <summary>The file name, for test names.</summary>
    public string File { get; }

    public string Exchange { get; }

    public string RoutingKey { get; }

    /// <summary>The AMQP basic properties as captured.</summary>
    public JsonElement Properties { get; }

    /// <summary>The headers in the neutral model: string, int/long, double, bool, null, object?[], dictionary.</summary>
    public IReadOnlyDictionary<string, object?> Headers { get; }

    /// <summary>Each header's AMQP wire type signature (see <see cref="AmqpWireTypes"/>), in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeaderWireTypes { get; }

    public byte[] Body { get; }

    public JsonElement BodyJson { get; }

    /// <summary>The directory the vectors are copied to.</summary>
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "GoldenWire");

    public static GoldenMessage Load(string file) =>
        new(file, JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(Directory, file))).RootElement.Clone());

    /// <summary>The vector file names starting with <paramref name="prefix"/>, sorted.</summary>
    public static IReadOnlyList<string> Files(string prefix) =>
        System.IO.Directory.GetFiles(Directory, prefix + "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>A string property, or null when the capture does not have it.</summary>
    public string? Property(string name) =>
        Properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A numeric property (delivery_mode, priority).</summary>
    public int IntProperty(string name) => Properties.GetProperty(name).GetInt32();

    /// <summary>The message as a transport would deliver it to Celeriac.</summary>
    public TransportMessage ToTransportMessage() => new()
    {
        Body = Body,
        ContentType = Property("content_type"),
        ContentEncoding = Property("content_encoding"),
        CorrelationId = Property("correlation_id"),
        ReplyTo = Property("reply_to"),
        DeliveryMode = (byte)IntProperty("delivery_mode"),
        Priority = (byte)IntProperty("priority"),
        Expiration = Property("expiration"),
        Headers = Headers,
    };

    /// <summary>Maps a captured JSON header value to the neutral header model.</summary>
    public static object? ToNeutral(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt32(out var i) => i,
        JsonValueKind.Number when value.TryGetInt64(out var l) => l,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => value.EnumerateArray().Select(ToNeutral).ToArray(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToNeutral(p.Value)),
        _ => throw new ArgumentException($"Unexpected JSON {value.ValueKind}."),
    };

    public override string ToString() => File;
}
