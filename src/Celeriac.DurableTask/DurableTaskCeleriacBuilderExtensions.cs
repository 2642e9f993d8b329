using Celeriac.Core.DependencyInjection;
using Celeriac.DurableTask;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Durable Entity task record store to Celeriac.</summary>
public static class DurableTaskCeleriacBuilderExtensions
{
    /// <summary>
    /// Keeps task records as Durable Entities (<see cref="TaskRecordEntity"/>, one per task) through
    /// <see cref="DurableTaskStore"/>: it replaces any store chosen before, and a worker in the same process records
    /// into it (and reads revokes from it) without further calls. The host must register an
    /// <see cref="Microsoft.DurableTask.Client.IDurableTaskClientProvider"/> whose client has entity support
    /// (<c>AddDurableTaskClient</c> does), and run the entity: a Functions app maps an <c>[EntityTrigger]</c>
    /// function named <see cref="TaskRecordEntity.EntityName"/> to <see cref="TaskRecordEntity"/>. The options are
    /// validated when the host starts.
    /// </summary>
    public static CeleriacBuilder UseDurableTaskStore(this CeleriacBuilder builder, Action<DurableTaskStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DurableTaskStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurableTaskStoreOptions>, DurableTaskStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DurableTaskStore>();
        return builder.UseTaskStore(sp => sp.GetRequiredService<DurableTaskStore>());
    }
}
