using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Events.Monitoring;

/// <summary>What a monitor knows about one task from its events (Celery's <c>celery.events.state.Task</c>).</summary>
public sealed class MonitoredTask
{
    /// <summary>The fields <see cref="Info"/> shows, in Celery's order (<c>Task._info_fields</c>).</summary>
    public static readonly IReadOnlyList<string> InfoFields =
        ["args", "kwargs", "retries", "result", "eta", "runtime", "expires", "exception", "exchange", "routing_key", "root_id", "parent_id"];

    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);

    internal MonitoredTask(string uuid) => Uuid = uuid;

    /// <summary>The task id.</summary>
    public string Uuid { get; }

    /// <summary>The state name (<c>RECEIVED</c>, ...); null until an event set one.</summary>
    public string? State { get; internal set; }

    /// <summary>The time of the event that set <see cref="State"/> (Unix seconds).</summary>
    public double? Timestamp { get; internal set; }

    /// <summary>The task name, from <c>task-received</c>; null when that event was not seen.</summary>
    public string? Name => GetString("name");

    /// <summary>The worker that sent the latest event.</summary>
    public string? Hostname => GetString("hostname");

    /// <summary>Every field seen, as the events carried it.</summary>
    public IReadOnlyDictionary<string, JsonElement> Fields => _fields;

    /// <summary>A field's text, or null.</summary>
    public string? GetString(string name) => _fields.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The non-null <see cref="InfoFields"/>, as Celery's <c>Task.info()</c> returns them.</summary>
    public JsonElement Info()
    {
        var info = new Dictionary<string, JsonElement>();
        foreach (var name in InfoFields)
        {
            if (_fields.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                info[name] = value;
            }
        }

        return CeleryJson.ToElement(info);
    }

    /// <summary>
    /// The line a Celery monitor script prints for this task:
    /// <c>Status: STARTED[tasks.add] &lt;id&gt; {'args': '(2, 3)', ...}</c>.
    /// </summary>
    public string FormatStatusLine() =>
        $"Status: {State ?? "None"}[{Name ?? "None"}] {Uuid} {PythonRepr.Format(Info(), int.MaxValue)}";

    internal void Merge(JsonElement @event, IReadOnlyCollection<string>? only)
    {
        foreach (var property in @event.EnumerateObject())
        {
            if (only is null || only.Contains(property.Name))
            {
                _fields[property.Name] = property.Value.Clone();
            }
        }
    }

    internal TaskState? ParsedState => TaskStates.TryParseWireName(State, out var state) ? state : null;
}
