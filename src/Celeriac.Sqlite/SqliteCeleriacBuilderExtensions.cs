using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Records;
using Celeriac.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite task record store to Celeriac.</summary>
public static class SqliteCeleriacBuilderExtensions
{
    /// <summary>The sub-section of <c>AddCeleriac(configuration)</c>'s section the store's options bind from.</summary>
    public const string ConfigurationSection = "Sqlite";

    /// <summary>
    /// Keeps task records in a SQLite file (<see cref="SqliteTaskStoreOptions.FilePath"/>): the embedded
    /// default store, shared safely by several processes on one machine. It replaces any store chosen before,
    /// and a worker in the same process records into it without further calls. The options are validated when
    /// the host starts. With <c>AddCeleriac(configuration)</c> they are bound from its <c>Sqlite</c> sub-section first.
    /// </summary>
    public static CeleriacBuilder UseSqliteStore(this CeleriacBuilder builder, Action<SqliteTaskStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<SqliteTaskStoreOptions>();
        if (builder.Configuration is { } configuration)
        {
            // Before the delegate, so options set in code win over Celeriac:Sqlite.
            options.Bind(configuration.GetSection(ConfigurationSection));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteTaskStoreOptions>, SqliteTaskStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SqliteTaskStore>();
        builder.UseTaskStore(sp => sp.GetRequiredService<SqliteTaskStore>());
        // Chord header parts are counted in the same file, so workers sharing it share the counts.
        services.AddSingleton<IChordCounter, SqliteChordCounter>();
        return builder;
    }
}
