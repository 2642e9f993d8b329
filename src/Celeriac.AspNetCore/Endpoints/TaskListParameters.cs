using Microsoft.AspNetCore.Mvc;

namespace Celeriac.AspNetCore.Endpoints;

/// <summary>The filters of <c>GET /api/tasks</c> as the OpenAPI document lists them (all text; TaskApi validates them).</summary>
internal sealed record TaskListParameters(
    [FromQuery(Name = "state")] string? State,
    [FromQuery(Name = "name")] string? Name,
    [FromQuery(Name = "worker")] string? Worker,
    [FromQuery(Name = "q")] string? Q,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "cursor")] string? Cursor);
