using Celeriac.AspNetCore.Api;
using Celeriac.Core.Records;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard.Tasks;

/// <summary>The list's filters from the query string: the HTTP API's (<see cref="TaskQueryString"/>), 50 rows a page unless asked.</summary>
internal static class TaskListQuery
{
    public const int PageSize = 50;

    /// <summary>The store query, or the reason the query string does not make one.</summary>
    public static bool TryParse(IQueryCollection query, out TaskRecordQuery parsed, out string error) =>
        TaskQueryString.TryParse(key => query.TryGetValue(key, out var value) ? value.ToString() : null, new TaskRecordQuery { Limit = PageSize },
            out parsed, out error);
}
