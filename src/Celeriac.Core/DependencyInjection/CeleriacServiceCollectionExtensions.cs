using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Celeriac to a service collection.</summary>
public static class CeleriacServiceCollectionExtensions
{
    /// <summary>
    /// Adds what every Celeriac process needs (the task registry, the clock) and returns the builder that chooses
    /// the rest: tasks (<c>AddTask</c>, <c>AddTasks</c>), a transport (<c>UseRabbitMq</c>), a record store
    /// (<c>UseSqliteStore</c>, ...), a worker (<c>AddWorker</c>) and the HTTP API (<c>AddHttpApi</c>). A client or
    /// API-only process gets no worker parts. Each part is chosen once; choosing it again replaces it, in any order.
    /// </summary>
    public static CeleriacBuilder AddCeleriac(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EventOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventOptions>, EventOptionsValidator>());
        services.AddOptions<RevocationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RevocationOptions>, RevocationOptionsValidator>());
        services.AddOptions<TaskRegistryOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LamportClock>();
        services.TryAddSingleton<TaskRegistry>();
        return new CeleriacBuilder(services);
    }

    /// <summary>
    /// Adds Celeriac as <see cref="AddCeleriac(IServiceCollection)"/> does, with its options bound from
    /// <paramref name="configuration"/> (usually <c>configuration.GetSection("Celeriac")</c>, so <c>appsettings.json</c>'s
    /// <c>"Celeriac"</c> section and <c>CELERIAC__...</c> environment variables apply): <c>Worker</c>, <c>Events</c> and
    /// <c>Revocation</c> here, and <c>RabbitMq</c>, <c>Sqlite</c> and <c>Http</c> when those parts are chosen. Options set in
    /// code (<c>AddWorker(o => ...)</c>) are applied after the configuration. Every option is validated when the host starts.
    /// </summary>
    /// <example><code>builder.Services.AddCeleriac(builder.Configuration.GetSection("Celeriac")).UseRabbitMq().AddWorker().AddQueueConsumer();</code></example>
    public static CeleriacBuilder AddCeleriac(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddCeleriac();
        builder.Configuration = configuration;
        services.AddOptions<WorkerOptions>().Configure(o => WorkerOptionsBinding.Bind(configuration.GetSection(WorkerOptionsBinding.Section), o));
        services.AddOptions<EventOptions>().Bind(configuration.GetSection("Events"));
        services.AddOptions<RevocationOptions>().Bind(configuration.GetSection("Revocation"));
        return builder;
    }
}
