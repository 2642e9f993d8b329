using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;

namespace Celeriac.Dashboard.Recording;

/// <summary>
/// Translates one Celery task event into the <see cref="TaskTransition"/> a worker of Celeriac would have written for
/// the same change. Pure: the state machine decides whether it applies. Celery's events carry arguments, results and
/// exceptions as Python reprs (<c>"(2, 3)"</c>, <c>"ValueError('boom')"</c>), so those are kept as JSON strings.
/// </summary>
internal static class EventTransitions
{
    /// <summary>The transition for <paramref name="event"/>, or null for events that change no record (rejected, unknown, malformed).</summary>
    /// <param name="event">The event, a JSON object.</param>
    /// <param name="receivedAt">When the server received it: the time used when the event has no <c>timestamp</c>.</param>
    public static TaskTransition? From(JsonElement @event, DateTimeOffset receivedAt)
    {
        if (!TryGetString(@event, "type", out var type) || !TryGetString(@event, "uuid", out _))
        {
            return null;
        }

        // The worker's clock, as the timeline of a task recorded by a Celeriac worker uses the worker's clock too.
        var at = @event.TryGetProperty("timestamp", out var timestamp) && timestamp.ValueKind == JsonValueKind.Number
            ? CeleryTime.FromUnixSeconds(timestamp.GetDouble())
            : receivedAt;
        var worker = TryGetString(@event, "hostname", out var hostname) ? hostname : null;
        return type switch
        {
            "task-sent" when Describe(@event) is { } task => new TaskAccepted(at, task),
            "task-received" when worker is not null && Describe(@event) is { } task => new TaskReceived(at, worker, task),
            "task-started" when worker is not null => new TaskStarted(at, worker),
            "task-succeeded" => new TaskFinished(at, worker, TaskOutcome.Success(Repr(@event, "result"), Runtime(@event) ?? TimeSpan.Zero)),
            "task-failed" => new TaskFinished(at, worker, TaskOutcome.Failure(Error(@event), Text(@event, "traceback"), Runtime(@event))),
            "task-retried" when worker is not null => new TaskRetried(at, worker, Error(@event), Text(@event, "traceback")),
            "task-revoked" => new TaskFinished(at, worker, Revoked(@event)),
            _ => null,
        };
    }

    /// <summary>Python's repr of an exception, <c>ValueError('boom')</c>, as a <see cref="TaskError"/>: the type and the text between the parentheses.</summary>
    public static TaskError ParseException(string? repr)
    {
        if (string.IsNullOrWhiteSpace(repr))
        {
            return TaskError.Create("Exception", "", null);
        }

        var open = repr.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !repr.EndsWith(')'))
        {
            return TaskError.Create("Exception", repr, null);
        }

        var type = repr[..open];
        var inner = repr[(open + 1)..^1];
        // One quoted argument (the usual case) is the message itself; anything else stays as Python wrote it.
        if (inner.Length >= 2 && (inner[0] is '\'' or '"') && inner[^1] == inner[0] && inner.IndexOf(inner[0], 1) == inner.Length - 1)
        {
            inner = inner[1..^1];
        }

        return TaskError.Create(type, inner, null);
    }

    private static TaskDescription? Describe(JsonElement @event)
    {
        if (!TryGetString(@event, "name", out var name))
        {
            return null;
        }

        return new TaskDescription(name, Repr(@event, "args"), Repr(@event, "kwargs"),
            @event.TryGetProperty("retries", out var retries) && retries.ValueKind == JsonValueKind.Number ? retries.GetInt32() : 0,
            CeleryTime.Parse(Text(@event, "eta")), CeleryTime.Parse(Text(@event, "expires")), Text(@event, "parent_id"), Text(@event, "root_id"));
    }

    private static TaskOutcome Revoked(JsonElement @event)
    {
        var reason = IsTrue(@event, "expired") ? RevokeReason.Expired : IsTrue(@event, "terminated") ? RevokeReason.Terminated : RevokeReason.Revoked;
        int? signal = @event.TryGetProperty("signum", out var signum) && signum.ValueKind == JsonValueKind.Number ? signum.GetInt32()
            : Text(@event, "signum") is { } name ? Signals.Parse(name) : null;
        return TaskOutcome.Revoked(reason, signal);
    }

    private static TaskError Error(JsonElement @event) => ParseException(Text(@event, "exception"));

    private static TimeSpan? Runtime(JsonElement @event) =>
        @event.TryGetProperty("runtime", out var runtime) && runtime.ValueKind == JsonValueKind.Number && runtime.GetDouble() >= 0
            ? TimeSpan.FromSeconds(runtime.GetDouble())
            : null;

    // A repr field as it came: a string (Celery's events), or a JSON value (a sender that put the value itself).
    private static JsonElement Repr(JsonElement @event, string name) =>
        @event.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value.Clone() : CeleryJson.Null;

    private static string? Text(JsonElement @event, string name) => TryGetString(@event, name, out var value) ? value : null;

    private static bool IsTrue(JsonElement @event, string name) => @event.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static bool TryGetString(JsonElement element, string name, out string value) => Live.EventFields.TryGetString(element, name, out value);
}
