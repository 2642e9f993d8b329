using Celeriac.Dashboard.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Celeriac.Functions.Dashboard;

/// <summary>The dashboard's services in the Functions app.</summary>
internal static class FunctionsDashboardServiceCollectionExtensions
{
    /// <summary>
    /// The dashboard as <c>celeriac serve</c> has it, with the worker table in Durable Entities; its pages reach it
    /// through the <c>dashboard/{*path}</c> function and its Prometheus text through the <c>metrics</c> one.
    /// </summary>
    public static IServiceCollection AddFunctionsDashboard(this IServiceCollection services)
    {
        services.AddRouting();
        services.TryAddSingleton<IWorkerTable, DurableWorkerTable>();
        return services.AddCeleriacDashboard();
    }
}
