using Celeriac.Testing;

namespace Celeriac.Dashboard.Tests.Support;

/// <summary>One browser and one default server (no API keys: local requests only) shared by the tests of the collection.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    public LogRelay Log { get; } = new();

    public Chromium Chromium { get; } = new();

    public DashboardServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Chromium.InitializeAsync();
        Server = await DashboardServer.StartAsync("dashboard", Log);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await Chromium.DisposeAsync();
    }
}

/// <summary>The tests that share <see cref="SharedServer"/>; they run one after another (one worker slot).</summary>
[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "dashboard server";
}
