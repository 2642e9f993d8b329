using Celeriac.Core.Beat;
using Celeriac.Core.DependencyInjection;
using Celeriac.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Shares the beat lease between processes through the SQLite record file.</summary>
public static class SqliteSchedulerLeaseBuilderExtensions
{
    /// <summary>
    /// Keeps the beat lease and the ticks sent in the SQLite file of <see cref="SqliteTaskStoreOptions.FilePath"/>, so
    /// that of several <c>celeriac beat</c> processes using the same file exactly one sends each tick. Call before
    /// <c>AddBeat</c>, or instead of its in-process lease.
    /// </summary>
    public static CeleriacBuilder UseSqliteSchedulerLease(this CeleriacBuilder builder, Action<SqliteTaskStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SqliteTaskStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISchedulerLease, SqliteSchedulerLease>());
        return builder;
    }
}
