using System.Buffers;
using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Events;

/// <summary>
/// One Celery event: a type (<c>task-succeeded</c>, <c>worker-heartbeat</c>, ...) and its fields, in the
/// order they go on the wire.
/// </summary>
public sealed class CeleryEvent
{
    private readonly List<KeyValuePair<string, object?>> _fields;

    /// <summary>Creates an event with type-specific fields; the dispatcher adds the standard ones.</summary>
    public CeleryEvent(string type, IEnumerable<KeyValuePair<string, object?>>? fields = null)
    {
        Type = type;
        _fields = fields?.ToList() ?? [];
    }

    // Takes the list as it is, for the dispatcher's stamped copy: one list a stamped event, not two.
    private CeleryEvent(string type, List<KeyValuePair<string, object?>> fields)
    {
        Type = type;
        _fields = fields;
    }

    /// <summary>This event with <paramref name="before"/> ahead of its fields and <paramref name="after"/> behind them.</summary>
    internal CeleryEvent Around(ReadOnlySpan<KeyValuePair<string, object?>> before, KeyValuePair<string, object?> after)
    {
        var fields = new List<KeyValuePair<string, object?>>(before.Length + _fields.Count + 1);
        fields.AddRange(before);
        fields.AddRange(_fields);
        fields.Add(after);
        return new CeleryEvent(Type, fields);
    }

    /// <summary>The event type.</summary>
    public string Type { get; }

    /// <summary>When what the event reports happened, for its <c>timestamp</c>; unset, the dispatcher's clock when it stamps the event.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The fields, in wire order.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Fields => _fields;

    /// <summary>The routing key on the <c>celeryev</c> exchange: the type with dashes as dots.</summary>
    public string RoutingKey => Type.Replace('-', '.');

    /// <summary>Adds a field.</summary>
    public CeleryEvent With(string name, object? value)
    {
        _fields.Add(new(name, value));
        return this;
    }

    /// <summary>Writes the event as a JSON object.</summary>
    public ReadOnlyMemory<byte> Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = CeleryJson.Options.Encoder }))
        {
            WriteTo(writer);
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Writes events as one JSON list, the body of a <c>task.multi</c> message.</summary>
    public static ReadOnlyMemory<byte> EncodeList(IEnumerable<CeleryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = CeleryJson.Options.Encoder }))
        {
            writer.WriteStartArray();
            foreach (var celeryEvent in events)
            {
                celeryEvent.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenMemory;
    }

    private void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in _fields)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, value);
        }

        writer.WriteString("type", Type);
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: WriteFloat(writer, d); break;
            case double[] ds:
                writer.WriteStartArray();
                foreach (var d in ds)
                {
                    WriteFloat(writer, d);
                }

                writer.WriteEndArray();
                break;
            case JsonElement e: CeleryJson.WriteValue(writer, e); break;
            default: JsonSerializer.Serialize(writer, value, value.GetType(), CeleryJson.Options); break;
        }
    }

    // Python's json writes a float as a float even when it is whole (freq 2.0, loadavg 0.0), and monitors that
    // compare types see the difference; System.Text.Json would write 2.
    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value) && value == Math.Floor(value) && Math.Abs(value) < 1e16)
        {
            writer.WriteRawValue(value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }
}
