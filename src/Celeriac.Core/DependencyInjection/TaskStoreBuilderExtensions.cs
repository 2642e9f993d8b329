using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps a durable record per task.</summary>
public static class TaskStoreBuilderExtensions
{
    /// <summary>
    /// Keeps one record per task in the store <paramref name="create"/> makes, replacing any store chosen before. A
    /// worker then writes RECEIVED, STARTED and the outcome before it acknowledges, and checks the record for revokes
    /// when a task arrives and before it starts; the HTTP API reads and lists the records. Store packages call this
    /// (e.g. <c>UseSqliteStore</c>), so choosing a store is all it takes.
    /// </summary>
    public static CeleriacBuilder UseTaskStore(this CeleriacBuilder builder, Func<IServiceProvider, ITaskStore> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);
        builder.Services.RemoveAll<ITaskStore>();
        // A store that counts chord parts registers its counter after this; one that does not leaves chords unrun.
        builder.Services.RemoveAll<IChordCounter>();
        builder.Services.AddSingleton(create);
        // Only a worker resolves observers, so an API-only process pays nothing for this.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, TaskRecordObserver>());
        return builder;
    }

    /// <summary>Keeps records and chord counts in memory (lost on restart): for tests and throwaway runs.</summary>
    public static CeleriacBuilder UseInMemoryStore(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InMemoryTaskStore>();
        builder.Services.TryAddSingleton<InMemoryChordCounter>();
        builder.UseTaskStore(sp => sp.GetRequiredService<InMemoryTaskStore>());
        builder.Services.AddSingleton<IChordCounter>(sp => sp.GetRequiredService<InMemoryChordCounter>());
        return builder;
    }
}
