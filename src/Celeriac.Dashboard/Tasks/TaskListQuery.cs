using System.Globalization;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard.Tasks;

/// <summary>The list's filters from the query string (the same names as the HTTP API's <c>GET /api/tasks</c>).</summary>
internal static class TaskListQuery
{
    public const int PageSize = 50;

    /// <summary>The store query, or the reason the query string does not make one.</summary>
    public static bool TryParse(IQueryCollection query, out TaskRecordQuery parsed, out string error)
    {
        parsed = new TaskRecordQuery { Limit = PageSize };
        error = "";
        string? Get(string key) => query.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString().Trim() : null;

        if (Get("state") is { } stateText)
        {
            if (!TaskStates.TryParseWireName(stateText.ToUpperInvariant(), out var state))
            {
                error = $"'{stateText}' is not a state.";
                return false;
            }

            parsed = parsed with { State = state };
        }

        if (!TryTime(Get("from"), "from", out var from, ref error) || !TryTime(Get("to"), "to", out var to, ref error))
        {
            return false;
        }

        if (Get("limit") is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > TaskRecordQuery.MaxLimit)
            {
                error = $"'limit' must be a whole number from 1 to {TaskRecordQuery.MaxLimit}.";
                return false;
            }

            parsed = parsed with { Limit = limit };
        }

        parsed = parsed with { From = from, To = to, Name = Get("name"), Worker = Get("worker"), Text = Get("q"), Cursor = Get("cursor") };
        return true;
    }

    private static bool TryTime(string? text, string key, out DateTimeOffset? time, ref string error)
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
