using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Events;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddOptions<EventOptions>();
        services.AddOptions<TaskRegistryOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LamportClock>();
        services.TryAddSingleton<TaskRegistry>();
        return new CeleriacBuilder(services);
    }
}
