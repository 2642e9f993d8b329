using Celeriac.AspNetCore.Api;
using Celeriac.Dashboard;
using Celeriac.Dashboard.Assets;
using Celeriac.Dashboard.Auth;
using Celeriac.Dashboard.Broker;
using Celeriac.Dashboard.Live;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Recording;
using Celeriac.Dashboard.Tasks;
using Celeriac.Dashboard.Workers;
using Celeriac.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds what the dashboard needs.</summary>
public static class CeleriacDashboardServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="DashboardOptions"/> are bound from.</summary>
    public const string ConfigurationSection = "Celeriac:Dashboard";

    /// <summary>
    /// Adds the dashboard's services: the event feed (a hosted service listening to Celery events, which also records
    /// tasks run by workers that keep no record, see <see cref="DashboardOptions.RecordTasksFromEvents"/>), the worker table
    /// (<see cref="IWorkerTable"/>, a SQLite file next to the task records unless one is registered before), the
    /// metrics and the RabbitMQ management client. It reads the task records through the registered
    /// <c>ITaskStore</c>, events through the RabbitMQ transport, and API keys from the HTTP API's
    /// <see cref="TaskApiOptions.ApiKeys"/>. Settings come from <paramref name="configure"/> and the <c>Celeriac:Dashboard</c> configuration section. Map the pages with <c>app.MapCeleriacDashboard()</c>.
    /// </summary>
    public static IServiceCollection AddCeleriacDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Also from configuration, e.g. the environment variable Celeriac__Dashboard__ManagementUrl.
        var options = services.AddOptions<DashboardOptions>().BindConfiguration(ConfigurationSection);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The worker table goes next to the task records when not told otherwise.
        options.PostConfigure<IOptions<SqliteTaskStoreOptions>>((o, records) =>
            o.WorkerTablePath ??= Path.Combine(Path.GetDirectoryName(records.Value.ResolveFilePath())!, DashboardDefaults.WorkerTableFileName));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        services.AddOptions<TaskApiOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWorkerTable, SqliteWorkerTable>();
        services.TryAddSingleton<WorkerBoard>();
        services.TryAddSingleton(sp => new TaskMetrics(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.ThroughputWindow));
        services.TryAddSingleton<CeleriacMeterReader>();
        services.TryAddSingleton<LiveHub>();
        services.TryAddSingleton<StateCounts>();
        services.TryAddSingleton<DashboardAccess>();
        services.TryAddSingleton<DashboardAssets>();
        services.TryAddSingleton<DashboardRequestDispatcher>();
        services.TryAddSingleton<RabbitMqManagement>();
        services.TryAddSingleton<EventTaskRecorder>();
        services.TryAddSingleton<IMetricsTable, SqliteMetricsTable>();
        services.TryAddSingleton<MetricsPersistence>();
        services.TryAddSingleton<DashboardEventFeed>();
        // In this order: the metrics are loaded before the feed counts its first event, and saved after it stopped.
        services.AddHostedService(sp => sp.GetRequiredService<MetricsPersistence>());
        services.AddHostedService(sp => sp.GetRequiredService<CeleriacMeterReader>());
        services.AddHostedService(sp => sp.GetRequiredService<DashboardEventFeed>());
        return services;
    }
}
