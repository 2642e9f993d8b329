using Celeriac.Core.Control;
using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes a process execute tasks.</summary>
public static class WorkerBuilderExtensions
{
    /// <summary>
    /// Adds the worker: the task processor and its lifecycle, task events and heartbeats, remote control, result
    /// publishing and revokes. Deliveries come from the host: the transport's queue consumer (e.g.
    /// <c>AddQueueConsumer()</c>) or an Azure Functions trigger. Calling it again only adds configuration. The host
    /// fails at start, saying what is missing, when no transport was chosen.
    /// </summary>
    public static CeleriacBuilder AddWorker(this CeleriacBuilder builder, Action<WorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<WorkerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerSetupValidator>());
        services.AddOptions<RevocationOptions>();

        services.TryAddSingleton<WorkerState>();
        services.TryAddSingleton<EventDispatcher>();
        services.TryAddSingleton<WorkerHeartbeat>();
        services.TryAddSingleton<TaskRateLimiter>();
        services.TryAddSingleton<WorkerConcurrency>();
        services.TryAddSingleton<TaskProcessor>();
        services.TryAddSingleton<WorkerLifecycle>();
        services.TryAddSingleton<WorkerControlCommands>();
        services.TryAddSingleton<ControlDispatcher>();
        services.TryAddSingleton(ChooseRevocations);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, RpcResultObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, EventPublishingObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, Celeriac.Core.Diagnostics.TaskMetricsObserver>());
        return builder;
    }

    // Decided when first needed, not when registered, so the order of UseInMemoryRevokes, a store and AddWorker never matters.
    private static IRevokedTasks ChooseRevocations(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RevocationOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        if (options.Value.Source == RevocationSource.InMemory)
        {
            return new InMemoryRevokedTasks(options, time);
        }

        return services.GetService<ITaskStore>() is { } store
            ? new TaskRecordRevocations(store, options, time)
            : ActivatorUtilities.CreateInstance<FileRevokedTasks>(services);
    }
}
