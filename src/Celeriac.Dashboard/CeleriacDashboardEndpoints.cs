using Celeriac.Dashboard;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Celeriac's dashboard.</summary>
public static class CeleriacDashboardEndpoints
{
    /// <summary>
    /// Maps the dashboard at <see cref="DashboardOptions.PathPrefix"/> (<c>/dashboard</c>): its pages, their JSON and
    /// server-sent events, the login form, and Prometheus metrics at <see cref="DashboardOptions.MetricsPath"/>
    /// (<c>/metrics</c>). Needs <c>services.AddCeleriacDashboard()</c>; revoke and terminate need the HTTP API
    /// (<c>AddHttpApi()</c>).
    /// </summary>
    public static IEndpointConventionBuilder MapCeleriacDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return DashboardEndpoints.Map(endpoints);
    }
}
