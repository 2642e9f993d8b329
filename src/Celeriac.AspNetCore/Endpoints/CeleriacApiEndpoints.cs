using Celeriac.AspNetCore.Api;
using Celeriac.AspNetCore.Endpoints;
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
    /// <c>GET /api/tasks</c> to <see cref="TaskEndpoints"/>, with their OpenAPI descriptions. With
    /// <see cref="TaskApiOptions.CorsOrigins"/> set they take CORS requests from those origins; call <c>UseCors()</c> then.
    /// </summary>
    public static RouteGroupBuilder MapCeleriacApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(TaskApi.RoutePrefix).WithTags("Tasks");
        if (endpoints.ServiceProvider.GetService<IOptions<TaskApiOptions>>()?.Value.CorsOrigins.Count > 0)
        {
            // Only with origins configured: CORS metadata makes ASP.NET Core require UseCors() in the pipeline.
            group.RequireCors(CeleriacHttpBuilderExtensions.CorsPolicy);
        }

        group.MapPost("/{name}", (string name, HttpRequest request, TaskEndpoints handlers) => handlers.EnqueueAsync(request, name))
            .WithName("EnqueueTask")
            .WithSummary("Send a task")
            .WithDescription("Body (JSON; any content type is read as JSON): {\"args\": [...], \"kwargs\": {...}}, optionally with \"countdown\" (seconds) or \"eta\" (ISO 8601), \"expires\" (seconds or ISO 8601), \"link\" and \"link_error\" (Celery signatures: {\"task\": name, \"args\": [...]}). 202 once the broker confirmed the message, with Location and Retry-After.")
            .Produces<TaskLinks>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")
            .Produces<ApiProblem>(StatusCodes.Status503ServiceUnavailable, "application/problem+json");

        group.MapGet("/{id}", (string id, HttpRequest request, TaskEndpoints handlers) => handlers.GetAsync(request, id))
            .WithName("GetTask")
            .WithSummary("A task's record")
            .WithDescription("200 when final, 202 with Retry-After while queued or running, 404 when unknown.")
            .Produces<TaskView>(StatusCodes.Status200OK)
            .Produces<TaskView>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status404NotFound, "application/problem+json");

        // terminate is declared here for the OpenAPI document; the handler reads it from the query itself.
        group.MapPost("/{id}/revoke", (string id, bool? terminate, HttpRequest request, TaskEndpoints handlers) => handlers.RevokeAsync(request, id))
            .WithName("RevokeTask")
            .WithSummary("Revoke a task")
            .WithDescription("Drops it if queued; with terminate=true also stops it if running. 202 when accepted (also for ids not seen yet), 409 when already finished.")
            .Produces<TaskLinks>(StatusCodes.Status202Accepted)
            .Produces<ApiProblem>(StatusCodes.Status409Conflict, "application/problem+json");

        // The filters are declared (as text) for the OpenAPI document; the handler reads the query and TaskApi validates it.
        group.MapGet("/", ([AsParameters] TaskListParameters filters, HttpRequest request, TaskEndpoints handlers) => handlers.ListAsync(request))
            .WithName("ListTasks")
            .WithSummary("List tasks, newest first")
            .WithDescription("Query: state, name, worker, q (text in id, arguments or result), from, to (ISO 8601), limit (1-500), cursor.")
            .Produces<TaskListView>(StatusCodes.Status200OK)
            .Produces<ApiProblem>(StatusCodes.Status400BadRequest, "application/problem+json");

        group.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ApiProblem), ["application/problem+json"]));
        return group;
    }
}
