using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Beat;

/// <summary>
/// A schedule entry as configuration writes it (<c>Celeriac:Beat:Schedule:{name}</c>): the task, exactly one of
/// <see cref="Every"/> and <see cref="Cron"/>, and optionally arguments as JSON, a time zone, a queue and an expiry.
/// </summary>
public sealed class PeriodicTaskSettings
{
    /// <summary>The task name, e.g. <c>tasks.add</c>.</summary>
    public string? Task { get; set; }

    /// <summary>An interval, e.g. <c>00:00:10</c>.</summary>
    public TimeSpan? Every { get; set; }

    /// <summary>A cron expression, e.g. <c>*/5 * * * *</c> (or six fields, seconds first).</summary>
    public string? Cron { get; set; }

    /// <summary>The cron expression's time zone (IANA or Windows id); default UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Positional arguments as a JSON array, e.g. <c>[2, 3]</c>.</summary>
    public string? Args { get; set; }

    /// <summary>Keyword arguments as a JSON object.</summary>
    public string? Kwargs { get; set; }

    /// <summary>The queue; default <c>celery</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>Expire each sent task this long after its tick.</summary>
    public TimeSpan? ExpiresAfter { get; set; }

    /// <summary>The entry this describes.</summary>
    /// <exception cref="FormatException">A value is missing or malformed; the message names the entry and the value.</exception>
    public PeriodicTask ToPeriodicTask(string name)
    {
        if (string.IsNullOrWhiteSpace(Task))
        {
            throw new FormatException($"Beat entry '{name}' names no Task.");
        }

        if ((Every is null) == string.IsNullOrWhiteSpace(Cron))
        {
            throw new FormatException($"Beat entry '{name}' needs exactly one of Every and Cron.");
        }

        IPeriodicSchedule schedule;
        try
        {
            schedule = Every is { } every
                ? PeriodicSchedule.Every(every)
                : PeriodicSchedule.Cron(Cron!, string.IsNullOrWhiteSpace(TimeZone) ? null : TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
        }
        catch (Exception ex) when (ex is FormatException or Cronos.CronFormatException or TimeZoneNotFoundException or ArgumentException)
        {
            throw new FormatException($"Beat entry '{name}' has an invalid schedule: {ex.Message}", ex);
        }

        return new PeriodicTask
        {
            Name = name,
            Task = Task,
            Schedule = schedule,
            Args = Json(name, nameof(Args), Args, JsonValueKind.Array) ?? CeleryJson.EmptyArray,
            Kwargs = Json(name, nameof(Kwargs), Kwargs, JsonValueKind.Object) ?? CeleryJson.EmptyObject,
            Queue = string.IsNullOrWhiteSpace(Queue) ? "celery" : Queue,
            ExpiresAfter = ExpiresAfter,
        };
    }

    private static JsonElement? Json(string name, string field, string? text, JsonValueKind kind)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == kind
                ? document.RootElement.Clone()
                : throw new FormatException($"Beat entry '{name}': {field} must be a JSON {(kind == JsonValueKind.Array ? "array" : "object")}.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Beat entry '{name}': {field} is not valid JSON: {ex.Message}", ex);
        }
    }
}
