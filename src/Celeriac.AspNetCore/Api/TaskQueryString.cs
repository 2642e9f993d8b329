using System.Globalization;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The filters of a task listing as a query string names them (<c>state</c>, <c>name</c>, <c>worker</c>, <c>q</c>,
/// <c>from</c>, <c>to</c>, <c>limit</c>, <c>cursor</c>): the HTTP API's <c>GET /api/tasks</c> and the dashboard's list
/// read them alike.
/// </summary>
public static class TaskQueryString
{
    /// <summary>
    /// Reads the filters through <paramref name="get"/> (a blank value counts as absent) on top of
    /// <paramref name="defaults"/>; false, with the reason in <paramref name="error"/>, when a value does not make a query.
    /// </summary>
    public static bool TryParse(Func<string, string?> get, TaskRecordQuery defaults, out TaskRecordQuery parsed, out string error)
    {
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(defaults);
        parsed = defaults;
        error = "";
        string? Get(string key) => get(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        if (Get("state") is { } stateText)
        {
            if (!TaskStates.TryParseWireName(stateText.ToUpperInvariant(), out var state))
            {
                error = $"'{stateText}' is not a state; use PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE or REVOKED.";
                return false;
            }

            parsed = parsed with { State = state };
        }

        if (!TryParseTime(Get("from"), "from", out var from, ref error) || !TryParseTime(Get("to"), "to", out var to, ref error))
        {
            return false;
        }

        if (Get("limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > TaskRecordQuery.MaxLimit)
            {
                error = $"'limit' must be a whole number from 1 to {TaskRecordQuery.MaxLimit}, not '{limitText}'.";
                return false;
            }

            parsed = parsed with { Limit = limit };
        }

        parsed = parsed with { From = from, To = to, Name = Get("name"), Worker = Get("worker"), Text = Get("q"), Cursor = Get("cursor") };
        return true;
    }

    private static bool TryParseTime(string? text, string key, out DateTimeOffset? time, ref string error)
    {
        time = null;
        if (text is null)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            error = $"'{key}' must be an ISO 8601 time, not '{text}'.";
            return false;
        }

        time = parsed;
        return true;
    }
}
