using Celeriac.DurableTask.Testing;
using Celeriac.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.DurableTask.Tests.Support;

/// <summary>
/// One real Durable extension host on the run's Azurite (a fresh task hub), shared by the tests of the collection.
/// Each test gets stores of its own key prefix, so tests never see each other's records.
/// </summary>
public sealed class DurableExtensionFixture : IAsyncLifetime
{
    private DurableExtensionHost? _host;

    /// <summary>Routes the extension's log lines to the running test.</summary>
    public LogRelay Logs { get; } = new();

    /// <summary>The host.</summary>
    public DurableExtensionHost Host => _host ?? throw new InvalidOperationException("The host starts in InitializeAsync.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _host = await DurableExtensionHost.StartAsync(new DurableExtensionHostOptions
        {
            StorageConnectionString = AzuriteEnvironment.ConnectionString,
            Logs = new RelayLoggerProvider(Logs),
        }, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A store over the host whose records no other store of this run sees (its own key prefix).</summary>
    public DurableTaskStore CreateStore(string? keyPrefix = null, ILogger<DurableTaskStore>? logger = null) =>
        new(Host.Clients, Options.Create(new DurableTaskStoreOptions { KeyPrefix = keyPrefix ?? NewKeyPrefix() }), TimeProvider.System,
            logger ?? NullLogger<DurableTaskStore>.Instance);

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewKeyPrefix() => Guid.NewGuid().ToString("N")[..12] + ".";
}

/// <summary>The tests that share one <see cref="DurableExtensionFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class DurableExtensionCollection : ICollectionFixture<DurableExtensionFixture>
{
    public const string Name = "Durable extension on Azurite";
}
