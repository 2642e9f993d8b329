using Celeriac.Testing;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// A vhost on the shared test node (nothing here stops the broker) and one <c>celeriac serve</c> with its embedded worker,
/// its data in a temp folder of its own that goes with it.
/// </summary>
public abstract class SharedBrokerServerFixture(string virtualHostName, string dataFolderPrefix) : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private CeleriacServerProcess? _server;

    public LogRelay Log { get; } = new();

    public CeleriacServerProcess Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory(dataFolderPrefix).FullName;

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync(virtualHostName);
        _server = await CeleriacServerProcess.StartAsync(_virtualHost, DataDirectory, Log.WriteLine, concurrency: 2);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }
}
