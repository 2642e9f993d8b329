using System.Text;
using System.Text.Json;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Reads and writes Celery task messages: protocol v2 (headers plus a <c>[args, kwargs, embed]</c> body),
/// and reads the legacy v1 (everything in the body).
/// </summary>
public static class TaskMessageCodec
{
    /// <summary>The only content type Celeriac reads and writes.</summary>
    public const string JsonContentType = "application/json";

    // Python always sends a string origin (gen<pid>@<host>); a void one would differ from every message Celery writes.
    private static readonly string s_defaultOrigin = $"gen{Environment.ProcessId}@{Environment.MachineName}";

    /// <summary>Decodes a delivered message. Throws <see cref="MessageDecodeException"/> saying what is wrong.</summary>
    public static TaskMessage Decode(TransportMessage message)
    {
        var contentType = message.ContentType;
        if (!IsJson(contentType))
        {
            throw new MessageDecodeException(
                $"Content type '{contentType}' is not accepted: Celeriac reads only {JsonContentType} (the client must use task_serializer='json').");
        }

        if (message.ContentEncoding is { Length: > 0 } encoding
            && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new MessageDecodeException($"Content encoding '{encoding}' is not supported; only utf-8 is.");
        }

        var body = Decompress(message.Body, HeaderValues.GetString(message.Headers, "compression"));
        JsonDocument document;
        try
        {
            document = CeleryJson.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new MessageDecodeException($"The body is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var task = message.Headers.ContainsKey("task")
                ? DecodeV2(message, document.RootElement)
                : DecodeV1(message, document.RootElement);

            if ((KombuTypedValue.FindUnknownTypeTag(task.Args) ?? KombuTypedValue.FindUnknownTypeTag(task.Kwargs)) is { } tag)
            {
                throw new MessageDecodeException($"The arguments hold a value of unknown type '__type__: {tag}'.");
            }

            return task;
        }
    }

    /// <summary>Encodes a task message exactly as Celery 5.2's <c>send_task</c> does (protocol v2).</summary>
    public static TransportMessage Encode(TaskMessage task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var headers = new Dictionary<string, object?>
        {
            ["lang"] = "py",
            ["task"] = task.Name,
            ["id"] = task.Id,
            ["shadow"] = task.Shadow,
            ["eta"] = task.Eta is { } eta ? CeleryTime.Format(eta) : null,
            ["expires"] = task.Expires is { } expires ? CeleryTime.Format(expires) : null,
            ["group"] = task.GroupId,
            ["group_index"] = task.GroupIndex,
            ["retries"] = task.Retries,
            ["timelimit"] = new object?[] { task.TimeLimit, task.SoftTimeLimit },
            ["root_id"] = task.RootId ?? task.Id,
            ["parent_id"] = task.ParentId,
            ["argsrepr"] = task.ArgsRepr ?? PythonRepr.FormatTuple(task.Args),
            ["kwargsrepr"] = task.KwargsRepr ?? PythonRepr.Format(task.Kwargs),
            ["origin"] = task.Origin ?? s_defaultOrigin,
            ["ignore_result"] = task.IgnoreResult,
        };
        // As OpenTelemetry's Celery instrumentation injects them: plain message headers, only when there is a trace.
        if (task.TraceParent is { } traceParent)
        {
            headers["traceparent"] = traceParent;
            if (task.TraceState is { Length: > 0 } traceState)
            {
                headers["tracestate"] = traceState;
            }
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            CeleryJson.WriteValue(writer, task.Args);
            CeleryJson.WriteValue(writer, task.Kwargs);
            writer.WriteStartObject();
            WriteEmbed(writer, "callbacks", task.Embed.Callbacks);
            WriteEmbed(writer, "errbacks", task.Embed.Errbacks);
            WriteEmbed(writer, "chain", task.Embed.Chain);
            WriteEmbed(writer, "chord", task.Embed.Chord);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return new TransportMessage
        {
            Body = buffer.WrittenMemory,
            ContentType = JsonContentType,
            ContentEncoding = "utf-8",
            CorrelationId = task.CorrelationId ?? task.Id,
            ReplyTo = task.ReplyTo,
            DeliveryMode = DeliveryModes.Persistent,
            Priority = task.Priority,
            Headers = headers,
        };
    }

    internal static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith(JsonContentType + ";", StringComparison.OrdinalIgnoreCase));

    internal static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> body, string? compression) =>
        MessageCompression.Decompress(body, compression);

    private static TaskMessage DecodeV2(TransportMessage message, JsonElement body)
    {
        var headers = message.Headers;
        if (body.ValueKind != JsonValueKind.Array || body.GetArrayLength() is < 2 or > 3)
        {
            throw new MessageDecodeException("A protocol 2 body must be the array [args, kwargs, embed].");
        }

        var args = body[0];
        var kwargs = body[1];
        if (args.ValueKind != JsonValueKind.Array)
        {
            throw new MessageDecodeException($"args must be a JSON array, not {args.ValueKind}.");
        }

        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            throw new MessageDecodeException($"kwargs must be a JSON object, not {kwargs.ValueKind}.");
        }

        var embed = body.GetArrayLength() == 3 ? DecodeEmbed(body[2]) : TaskEmbed.None;
        var id = RequireString(HeaderValues.GetString(headers, "id"), "id");
        var (hard, soft) = DecodeTimeLimit(headers);
        return new TaskMessage
        {
            Id = id,
            Name = RequireString(HeaderValues.GetString(headers, "task"), "task"),
            Args = args.Clone(),
            Kwargs = kwargs.Clone(),
            Embed = embed,
            Retries = (int)(HeaderValues.GetInteger(headers, "retries") ?? 0),
            Eta = HeaderValues.GetTime(headers, "eta"),
            Expires = HeaderValues.GetTime(headers, "expires"),
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = HeaderValues.GetString(headers, "root_id") ?? id,
            ParentId = HeaderValues.GetString(headers, "parent_id"),
            GroupId = HeaderValues.GetString(headers, "group"),
            GroupIndex = (int?)HeaderValues.GetInteger(headers, "group_index"),
            Shadow = HeaderValues.GetString(headers, "shadow"),
            ArgsRepr = HeaderValues.GetString(headers, "argsrepr"),
            KwargsRepr = HeaderValues.GetString(headers, "kwargsrepr"),
            Origin = HeaderValues.GetString(headers, "origin"),
            IgnoreResult = HeaderValues.GetBoolean(headers, "ignore_result"),
            ReplyTo = message.ReplyTo,
            CorrelationId = string.IsNullOrEmpty(message.CorrelationId) ? id : message.CorrelationId,
            Priority = message.Priority,
            TraceParent = HeaderValues.GetString(headers, "traceparent"),
            TraceState = HeaderValues.GetString(headers, "tracestate"),
            ProtocolVersion = 2,
        };
    }

    private static TaskMessage DecodeV1(TransportMessage message, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new MessageDecodeException("The message has no 'task' header (protocol 2) and its body is not a protocol 1 object.");
        }

        // Protocol 1: everything in the body; headers, when present, override body fields.
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.TryGetInt64(out var l) ? l : property.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => property.Value.Clone(),
            };
        }

        foreach (var header in message.Headers)
        {
            fields[header.Key] = header.Value;
        }

        var id = RequireString(HeaderValues.GetString(fields, "id"), "id");
        var args = body.TryGetProperty("args", out var a) && a.ValueKind != JsonValueKind.Null ? a : CeleryJson.EmptyArray;
        var kwargs = body.TryGetProperty("kwargs", out var k) && k.ValueKind != JsonValueKind.Null ? k : CeleryJson.EmptyObject;
        if (args.ValueKind != JsonValueKind.Array)
        {
            throw new MessageDecodeException($"args must be a JSON array, not {args.ValueKind}.");
        }

        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            throw new MessageDecodeException($"kwargs must be a JSON object, not {kwargs.ValueKind}.");
        }

        double? hard = null, soft = null;
        if (body.TryGetProperty("timelimit", out var limits) && limits.ValueKind == JsonValueKind.Array && limits.GetArrayLength() == 2)
        {
            hard = limits[0].ValueKind == JsonValueKind.Number ? limits[0].GetDouble() : null;
            soft = limits[1].ValueKind == JsonValueKind.Number ? limits[1].GetDouble() : null;
        }

        return new TaskMessage
        {
            Id = id,
            Name = RequireString(HeaderValues.GetString(fields, "task"), "task"),
            Args = args.Clone(),
            Kwargs = kwargs.Clone(),
            Embed = new TaskEmbed(CloneOrNull(body, "callbacks"), CloneOrNull(body, "errbacks"), null, CloneOrNull(body, "chord")),
            Retries = (int)(HeaderValues.GetInteger(fields, "retries") ?? 0),
            Eta = HeaderValues.GetTime(fields, "eta"),
            Expires = HeaderValues.GetTime(fields, "expires"),
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = id,
            GroupId = HeaderValues.GetString(fields, "taskset") ?? HeaderValues.GetString(fields, "group"),
            ReplyTo = message.ReplyTo,
            CorrelationId = string.IsNullOrEmpty(message.CorrelationId) ? id : message.CorrelationId,
            Priority = message.Priority,
            ProtocolVersion = 1,
        };
    }

    private static (double? Hard, double? Soft) DecodeTimeLimit(IReadOnlyDictionary<string, object?> headers)
    {
        if (!headers.TryGetValue("timelimit", out var value) || value is null)
        {
            return (null, null);
        }

        if (value is IReadOnlyList<object?> { Count: 2 } pair)
        {
            // Hard first: as_task_v2 and the worker use (hard, soft) whatever protocol.rst says.
            return (HeaderValues.AsDouble(pair[0], "timelimit"), HeaderValues.AsDouble(pair[1], "timelimit"));
        }

        throw new MessageDecodeException("Header 'timelimit' must be the array [hard, soft].");
    }

    private static TaskEmbed DecodeEmbed(JsonElement embed)
    {
        if (embed.ValueKind == JsonValueKind.Null)
        {
            return TaskEmbed.None;
        }

        if (embed.ValueKind != JsonValueKind.Object)
        {
            throw new MessageDecodeException($"embed must be a JSON object, not {embed.ValueKind}.");
        }

        var result = new TaskEmbed(CloneOrNull(embed, "callbacks"), CloneOrNull(embed, "errbacks"), CloneOrNull(embed, "chain"), CloneOrNull(embed, "chord"));
        return result.HasWork ? result : TaskEmbed.None;
    }

    private static JsonElement? CloneOrNull(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.Clone() : null;

    private static void WriteEmbed(Utf8JsonWriter writer, string name, JsonElement? value)
    {
        writer.WritePropertyName(name);
        if (value is { } element)
        {
            CeleryJson.WriteValue(writer, element);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static string RequireString(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new MessageDecodeException($"The message has no '{name}'.") : value;

    internal static string Utf8(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);
}
