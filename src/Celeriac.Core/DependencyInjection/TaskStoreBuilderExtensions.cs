using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Core.Revocation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps a durable record per task.</summary>
public static class TaskStoreBuilderExtensions
{
    /// <summary>
    /// Keeps one record per task in <typeparamref name="TStore"/>: workers write RECEIVED, STARTED and the
    /// outcome before they acknowledge, and check the record for revokes when a task arrives and before it
    /// starts. Store packages call this (e.g. <c>UseSqliteStore</c>).
    /// </summary>
    public static CeleriacBuilder UseTaskStore<TStore>(this CeleriacBuilder builder) where TStore : class, ITaskStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<ITaskStore>();
        builder.Services.AddSingleton<ITaskStore, TStore>();
        return builder.UseTaskRecords();
    }

    /// <summary>Keeps records in memory (lost on restart): for tests and throwaway runs.</summary>
    public static CeleriacBuilder UseInMemoryStore(this CeleriacBuilder builder) => builder.UseTaskStore<InMemoryTaskStore>();

    /// <summary>Wires the registered <see cref="ITaskStore"/> into the worker (records and revokes).</summary>
    public static CeleriacBuilder UseTaskRecords(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskObserver, TaskRecordObserver>());
        builder.Services.RemoveAll<IRevokedTasks>();
        builder.Services.AddSingleton<IRevokedTasks, TaskRecordRevocations>();
        return builder;
    }
}
