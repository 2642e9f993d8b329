using Celeriac.AspNetCore.Endpoints;
using Celeriac.Functions.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Celeriac.Functions.Http;

/// <summary>
/// The HTTP API on the same routes as <c>celeriac serve</c> (host.json sets an empty route prefix, so the routes carry
/// <c>api/</c> themselves), answered by the same handlers: each function hands its <c>[DurableClient]</c> to the
/// record store and makes one <see cref="TaskEndpoints"/> call.
/// </summary>
internal sealed class TaskHttpFunctions(TaskEndpoints endpoints, BoundDurableClients clients)
{
    [Function("EnqueueTask")]
    public Task<IResult> Enqueue([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/tasks/{name}")] HttpRequest request, string name,
        [DurableClient] DurableTaskClient client)
    {
        clients.Use(client);
        return endpoints.EnqueueAsync(request, name);
    }

    [Function("GetTask")]
    public Task<IResult> Get([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/tasks/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client)
    {
        clients.Use(client);
        return endpoints.GetAsync(request, id);
    }

    [Function("RevokeTask")]
    public Task<IResult> Revoke([HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/tasks/{id}/revoke")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client)
    {
        clients.Use(client);
        return endpoints.RevokeAsync(request, id);
    }

    [Function("ListTasks")]
    public Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/tasks")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        clients.Use(client);
        return endpoints.ListAsync(request);
    }
}
