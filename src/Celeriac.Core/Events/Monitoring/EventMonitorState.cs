using System.Text.Json;
using Celeriac.Core.States;

namespace Celeriac.Core.Events.Monitoring;

/// <summary>
/// Folds a stream of Celery events into task and worker state the way <c>celery.events.State</c> does,
/// including its rules for events that arrive out of order: an event of lower precedence than the task's
/// current state does not move the state back (except RETRY), and a late <c>task-received</c> only fills in
/// the name, arguments and workflow ids.
/// </summary>
public sealed class EventMonitorState
{
    private static readonly string[] s_receivedMergeFields = ["name", "args", "kwargs", "parent_id", "root_id", "retries", "eta", "expires"];

    private readonly Dictionary<string, MonitoredTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MonitoredWorker> _workers = new(StringComparer.Ordinal);

    /// <summary>Tasks by id.</summary>
    public IReadOnlyDictionary<string, MonitoredTask> Tasks => _tasks;

    /// <summary>Workers by node name.</summary>
    public IReadOnlyDictionary<string, MonitoredWorker> Workers => _workers;

    /// <summary>
    /// Applies one event (a JSON object). Returns the task it changed, or null for worker events and events
    /// without the fields Celery requires (<c>uuid</c>, <c>hostname</c>, <c>timestamp</c>, <c>clock</c>).
    /// </summary>
    public MonitoredTask? Apply(JsonElement @event)
    {
        if (@event.ValueKind != JsonValueKind.Object || !@event.TryGetProperty("type", out var typeElement) || typeElement.GetString() is not { } type)
        {
            return null;
        }

        if (type.StartsWith("worker-", StringComparison.Ordinal))
        {
            ApplyWorkerEvent(type, @event);
            return null;
        }

        if (!type.StartsWith("task-", StringComparison.Ordinal)
            || !@event.TryGetProperty("uuid", out var uuid) || uuid.GetString() is not { } id
            || !@event.TryGetProperty("hostname", out _) || !@event.TryGetProperty("timestamp", out var timestamp))
        {
            return null;
        }

        if (!_tasks.TryGetValue(id, out var task))
        {
            task = new MonitoredTask(id);
            _tasks[id] = task;
        }

        var state = StateOf(type);
        var current = task.ParsedState;
        var incoming = TaskStates.TryParseWireName(state, out var parsed) ? parsed : (TaskState?)null;
        var isRetry = state == "RETRY" || task.State == "RETRY";
        if (!isRetry && task.State is not null && Precedence(incoming) < Precedence(current))
        {
            // This event logically happened before the current state: merge, do not move back.
            task.Merge(@event, state == "RECEIVED" ? s_receivedMergeFields : null);
        }
        else
        {
            task.Merge(@event, null);
            task.State = state;
            task.Timestamp = timestamp.ValueKind == JsonValueKind.Number ? timestamp.GetDouble() : null;
        }

        return task;
    }

    // Custom states rank between FAILURE and REVOKED, as in celery.states.PRECEDENCE.
    private static double Precedence(TaskState? state) => state?.Precedence() ?? 6.5;

    private static string StateOf(string type) => type switch
    {
        "task-sent" => "PENDING",
        "task-received" => "RECEIVED",
        "task-started" => "STARTED",
        "task-succeeded" => "SUCCESS",
        "task-failed" => "FAILURE",
        "task-retried" => "RETRY",
        "task-revoked" => "REVOKED",
        "task-rejected" => "REJECTED",
        _ => type["task-".Length..].ToUpperInvariant(),
    };

    private void ApplyWorkerEvent(string type, JsonElement @event)
    {
        if (!@event.TryGetProperty("hostname", out var hostname) || hostname.GetString() is not { } name
            || !@event.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind != JsonValueKind.Number)
        {
            return;
        }

        if (!_workers.TryGetValue(name, out var worker))
        {
            worker = new MonitoredWorker(name);
            _workers[name] = worker;
        }

        worker.Apply(type, @event, timestamp.GetDouble());
    }
}
