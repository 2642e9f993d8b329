using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard;

/// <summary>
/// Serves one request to the dashboard (a page, its JSON, its stream, <c>/metrics</c>) through the same endpoints
/// <c>MapCeleriacDashboard()</c> maps, for hosts that hand requests over one at a time instead of routing them, such as
/// an Azure Functions HTTP function with the route <c>dashboard/{*path}</c>. Registered by
/// <c>AddCeleriacDashboard()</c>; needs the routing services (<c>AddRouting()</c>).
/// </summary>
public sealed class DashboardRequestDispatcher
{
    private readonly Lazy<RequestDelegate> _pipeline;

    /// <summary>Creates the dispatcher; the endpoints are mapped on first use.</summary>
    public DashboardRequestDispatcher(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _pipeline = new Lazy<RequestDelegate>(() => Build(services), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Answers <paramref name="context"/> as the dashboard would when mapped: its path (e.g. <c>/dashboard/api/tasks</c>)
    /// picks the endpoint; a path the dashboard does not serve gets 404.
    /// </summary>
    public Task DispatchAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The host's own route (the function's) is not the dashboard's: match again from the path alone.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        return _pipeline.Value(context);
    }

    private static RequestDelegate Build(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseRouting();
        app.UseEndpoints(endpoints => endpoints.MapCeleriacDashboard());
        return app.Build();
    }
}
