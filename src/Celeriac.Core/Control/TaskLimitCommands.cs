using System.Globalization;
using System.Text.Json;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Control;

/// <summary>
/// <c>rate_limit</c> and <c>time_limit</c>: change a task's limits on this worker, as Celery changes the task's
/// <c>rate_limit</c>, <c>soft_time_limit</c> and <c>time_limit</c> attributes. A task starting after the change
/// gets the new limits; running tasks keep theirs. Changes last until the worker stops.
/// </summary>
internal static class TaskLimitCommands
{
    private const string UnknownTask = "unknown task";

    public static Dictionary<string, string> RateLimit(TaskRegistry registry, ControlRequest request, ILogger logger)
    {
        var name = request.GetString("task_name") ?? "";
        TaskRateLimit? limit;
        string? text;
        try
        {
            (limit, text) = ReadRate(request);
        }
        catch (FormatException ex)
        {
            return Error(ex.Message);
        }

        if (!registry.TryGet(name, out var task))
        {
            Log.LimitForUnknownTask(logger, name);
            return Error(UnknownTask);
        }

        task.ChangeOptions(o => o with { RateLimit = limit });
        if (string.IsNullOrEmpty(text))
        {
            Log.RateLimitDisabled(logger, name);
            return Ok("rate limit disabled successfully");
        }

        Log.RateLimitChanged(logger, name, text);
        return Ok("new rate limit set successfully");
    }

    public static Dictionary<string, string> TimeLimit(TaskRegistry registry, ControlRequest request, ILogger logger)
    {
        var name = request.GetString("task_name") ?? "";
        if (!registry.TryGet(name, out var task))
        {
            Log.LimitForUnknownTask(logger, name);
            return Error(UnknownTask);
        }

        // As Celery: both are set from the command, a missing one clears that limit.
        var soft = Seconds(request, "soft");
        var hard = Seconds(request, "hard");
        task.ChangeOptions(o => o with { SoftTimeLimit = soft, TimeLimit = hard });
        Log.TimeLimitsChanged(logger, name, Describe(soft), Describe(hard));
        return Ok("time limits set successfully");
    }

    // app.control.rate_limit sends a string ("10/m") or a number (per second); None or "" disables the limit.
    private static (TaskRateLimit? Limit, string? Text) ReadRate(ControlRequest request)
    {
        if (request.Arguments.ValueKind != JsonValueKind.Object || !request.Arguments.TryGetProperty("rate_limit", out var value))
        {
            return (null, null);
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => (TaskRateLimit.Parse(value.GetString()), value.GetString()),
            JsonValueKind.Number => value.GetDouble() > 0 ? (TaskRateLimit.PerSecondOf(value.GetDouble()), value.GetRawText()) : (null, null),
            _ => (null, null),
        };
    }

    private static TimeSpan? Seconds(ControlRequest request, string name) =>
        request.Arguments.ValueKind == JsonValueKind.Object && request.Arguments.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.GetDouble() > 0
            ? TimeSpan.FromSeconds(value.GetDouble())
            : null;

    private static string Describe(TimeSpan? limit) =>
        limit is { } value ? value.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture) : "None";

    private static Dictionary<string, string> Ok(string text) => new() { ["ok"] = text };

    private static Dictionary<string, string> Error(string text) => new() { ["error"] = text };
}
