using Celeriac.AspNetCore;
using Celeriac.Core.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Celeriac's HTTP API: the same routes the Functions app serves.</summary>
public static class CeleriacApiEndpoints
{
    /// <summary>
    /// Maps <c>POST /api/tasks/{name}</c>, <c>GET /api/tasks/{id}</c>, <c>POST /api/tasks/{id}/revoke</c> and
    /// <c>GET /api/tasks</c>. Each endpoint translates the request into one <see cref="TaskApi"/> call.
    /// </summary>
    public static RouteGroupBuilder MapCeleriacApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var keys = new ApiKeyCheck(endpoints.ServiceProvider.GetRequiredService<IOptions<ApiKeyOptions>>().Value.Keys);
        var group = endpoints.MapGroup(TaskApi.RoutePrefix).WithTags("Tasks");
        group.AddEndpointFilter(async (context, next) =>
            keys.IsAllowed(context.HttpContext.Request) ? await next(context) : new ApiResponseResult(TaskApi.Unauthorized(context.HttpContext.Request.Path)));

        group.MapPost("/{name}", async (string name, HttpRequest request, TaskApi api, CancellationToken cancellationToken) =>
            {
                var body = await ReadBodyAsync(request, api.MaxBodyBytes, cancellationToken);
                return new ApiResponseResult(body is null
                    ? api.PayloadTooLarge(request.Path)
                    : await api.EnqueueAsync(name, body, BaseAddress(request), cancellationToken));
            })
            .WithName("EnqueueTask")
            .WithSummary("Send a task")
            .WithDescription("Body (JSON; any content type is read as JSON): {\"args\": [...], \"kwargs\": {...}}. 202 once the broker confirmed the message, with Location and Retry-After.")
            .Produces<TaskLinks>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status503ServiceUnavailable, "application/problem+json");

        group.MapGet("/{id}", async (string id, TaskApi api, CancellationToken cancellationToken) =>
                new ApiResponseResult(await api.GetAsync(id, cancellationToken)))
            .WithName("GetTask")
            .WithSummary("A task's record")
            .WithDescription("200 when final, 202 with Retry-After while queued or running, 404 when unknown.")
            .Produces<TaskView>(StatusCodes.Status200OK)
            .Produces<TaskView>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, "application/problem+json");

        group.MapPost("/{id}/revoke", async (string id, bool? terminate, HttpRequest request, TaskApi api, CancellationToken cancellationToken) =>
                new ApiResponseResult(await api.RevokeAsync(id, terminate ?? false, BaseAddress(request), cancellationToken)))
            .WithName("RevokeTask")
            .WithSummary("Revoke a task")
            .WithDescription("Drops it if queued; with terminate=true also stops it if running. 202 when accepted (also for ids not seen yet), 409 when already finished.")
            .Produces<TaskLinks>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, "application/problem+json");

        // Every filter is bound as text, so the OpenAPI document lists them and TaskApi alone validates them (with problem details).
        group.MapGet("/", async (string? state, string? name, string? worker, string? q, string? from, string? to, string? limit, string? cursor,
                TaskApi api, CancellationToken cancellationToken) =>
                new ApiResponseResult(await api.ListAsync(new Dictionary<string, string?>
                {
                    ["state"] = state, ["name"] = name, ["worker"] = worker, ["q"] = q, ["from"] = from, ["to"] = to, ["limit"] = limit, ["cursor"] = cursor,
                }, cancellationToken)))
            .WithName("ListTasks")
            .WithSummary("List tasks, newest first")
            .WithDescription("Query: state, name, worker, q (text in id, arguments or result), from, to (ISO 8601), limit (1-500), cursor.")
            .Produces<TaskListView>(StatusCodes.Status200OK)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, "application/problem+json");

        group.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ApiProblem), ["application/problem+json"]));
        return group;
    }

    private static Uri BaseAddress(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");

    // Reads at most maxBytes; null when the body is larger (413), whatever Content-Length claims.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
