using Celeriac.Core.Control;
using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Celeriac to a service collection.</summary>
public static class CeleriacServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Celeriac core: task registry, executor, events, remote control and durable revokes. Every
    /// part is added with <c>TryAdd</c>, so an application can replace any of them.
    /// </summary>
    public static CeleriacBuilder AddCeleriac(this IServiceCollection services, Action<WorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.AddOptions<EventOptions>();
        services.AddOptions<RevocationOptions>();
        services.AddOptions<TaskRegistryOptions>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LamportClock>();
        services.TryAddSingleton<WorkerState>();
        services.TryAddSingleton<TaskRegistry>();
        services.TryAddSingleton<IRevokedTasks, FileRevokedTasks>();
        services.TryAddSingleton<EventDispatcher>();
        services.TryAddSingleton<WorkerHeartbeat>();
        services.TryAddSingleton<TaskProcessor>();
        services.TryAddSingleton<WorkerControlCommands>();
        services.TryAddSingleton<ControlDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, RpcResultObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, EventPublishingObserver>());
        return new CeleriacBuilder(services);
    }
}
