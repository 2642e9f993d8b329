using Microsoft.Azure.Functions.Worker;

namespace Celeriac.Functions.Dashboard;

/// <summary>The Durable Entity per worker the dashboard has seen: the extension's batches go to <see cref="DashboardWorkerEntity"/>.</summary>
internal static class DashboardWorkerEntityFunction
{
    [Function(DashboardWorkerEntity.EntityName)]
    public static Task Run([EntityTrigger] TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher.DispatchAsync<DashboardWorkerEntity>();
    }
}
