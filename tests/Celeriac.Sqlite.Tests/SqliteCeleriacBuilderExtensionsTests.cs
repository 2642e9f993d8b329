using Celeriac.Core.Records;
using Celeriac.Records.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

public sealed class SqliteCeleriacBuilderExtensionsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-sqlite-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task UseSqliteStore_AfterAnotherStore_ReplacesItWithOneSqliteSingleton()
    {
        var path = Path.Combine(_directory, "records.db");
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ITaskStore, InMemoryTaskStore>();
        services.AddCeleriac().UseSqliteStore(o => o.FilePath = path);
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<ITaskStore>();

        var sqlite = Assert.IsType<SqliteTaskStore>(store);
        Assert.Same(sqlite, provider.GetRequiredService<SqliteTaskStore>());
        Assert.Single(services, d => d.ServiceType == typeof(ITaskStore));
        Assert.Equal(path, sqlite.FilePath);
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.True((await store.ApplyAsync("t1", Tasks.Accepted(1), default)).WasApplied);
        Assert.True(File.Exists(path));
    }

    [Fact(Timeout = 10_000)]
    public async Task UseSqliteStore_InvalidOptions_FailStartupValidation()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac().UseSqliteStore(o => o.MaxBatchSize = 0);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SqliteTaskStoreOptions.MaxBatchSize (Celeriac:Sqlite:MaxBatchSize) must be between 1 and 10000 (was 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task UseSqliteStore_ConfigurationSection_BindsCeleriacSqliteAndCodeWins()
    {
        var path = Path.Combine(_directory, "configured.db");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Sqlite:FilePath"] = path,
            ["Celeriac:Sqlite:BusyTimeout"] = "00:00:03",
            ["Celeriac:Sqlite:MaxBatchSize"] = "64",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration.GetSection("Celeriac")).UseSqliteStore(o => o.MaxBatchSize = 32);
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<SqliteTaskStoreOptions>>().Value;

        Assert.Equal((path, TimeSpan.FromSeconds(3), 32), (options.FilePath, options.BusyTimeout, options.MaxBatchSize));
        Assert.Equal(path, Assert.IsType<SqliteTaskStore>(provider.GetRequiredService<ITaskStore>()).FilePath);
    }

    [Fact(Timeout = 10_000)]
    public async Task UseSqliteStore_InvalidConfiguredValue_FailsStartupNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Sqlite:BusyTimeout"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration.GetSection("Celeriac")).UseSqliteStore();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("SqliteTaskStoreOptions.BusyTimeout (Celeriac:Sqlite:BusyTimeout) must be positive and under 24 days (was 00:00:00).", error.Failures);
    }

    [Fact]
    public void ResolveFilePath_NotSet_IsTasksDbInTheUsersCeleriacDataFolder()
    {
        var path = new SqliteTaskStoreOptions().ResolveFilePath();

        Assert.True(Path.IsPathFullyQualified(path));
        Assert.EndsWith(Path.Combine("celeriac", "tasks.db"), path, StringComparison.Ordinal);
        Assert.Equal(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), Path.GetDirectoryName(Path.GetDirectoryName(path)));
    }
}
