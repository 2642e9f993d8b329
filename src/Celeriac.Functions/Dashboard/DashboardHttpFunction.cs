using Celeriac.Dashboard;
using Celeriac.Functions.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Celeriac.Functions.Dashboard;

/// <summary>
/// The dashboard on the Functions app: one catch-all HTTP function whose requests go to the same endpoints
/// <c>celeriac serve</c> maps (<see cref="DashboardRequestDispatcher"/>). Anonymous for the host, because a browser
/// sends no function key with a page or its assets: the dashboard's own access rules apply instead (local requests
/// only, or the HTTP API's keys, with the login form).
/// </summary>
internal sealed class DashboardHttpFunction(DashboardRequestDispatcher dispatcher, BoundDurableClients clients)
{
    [Function("Dashboard")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "dashboard/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(request);
        clients.Use(client);
        return new DispatchedResult(dispatcher);
    }

    /// <summary>
    /// The dashboard's Prometheus metrics at <c>/metrics</c>, as <c>celeriac serve</c> serves them (outside the
    /// dashboard's route, so it needs a function of its own). Anonymous for the host, like the dashboard: a scraper
    /// sends no function key, and the dashboard's access rules apply.
    /// </summary>
    [Function("Metrics")]
    public IResult Metrics([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "metrics")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => Run(request, client);

    // Run when the worker writes the response, on the request's own HttpContext.
    private sealed class DispatchedResult(DashboardRequestDispatcher dispatcher) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => dispatcher.DispatchAsync(httpContext);
    }
}
