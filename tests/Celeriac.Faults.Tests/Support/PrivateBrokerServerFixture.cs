using Celeriac.RabbitMQ.Client;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// A private RabbitMQ node (the tests stop and start it), a vhost on it, and a real <c>celeriac serve</c> with its
/// embedded worker on a free loopback port, plus a long-lived .NET client that must survive the faults as well.
/// </summary>
public sealed class PrivateBrokerServerFixture : IAsyncLifetime
{
    private PrivateRabbitMqNode? _node;
    private RabbitMqVirtualHost? _virtualHost;
    private CeleriacServerProcess? _server;
    private CeleryClient? _client;

    public LogRelay Log { get; } = new();

    public PrivateRabbitMqNode Node => _node ?? throw NotStarted();

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public CeleriacServerProcess Server => _server ?? throw NotStarted();

    /// <summary>A .NET client with its own connection, created before any fault.</summary>
    public CeleryClient Client => _client ?? throw NotStarted();

    /// <summary>The embedded worker's node name (what its events and ping replies carry).</summary>
    public string WorkerName { get; } = $"fault-{Guid.NewGuid().ToString("N")[..6]}@localhost";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("celeriac-fault-server-").FullName;

    public async Task InitializeAsync()
    {
        _node = await PrivateRabbitMqNode.StartAsync(Log.WriteLine);
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("faults", _node.BrokerUrl, _node.ManagementUrl);
        _server = await CeleriacServerProcess.StartAsync(_virtualHost, DataDirectory, Log.WriteLine, concurrency: 2,
            extraArguments: ["--hostname", WorkerName]);
        _client = CeleryClient.Create(_virtualHost.AmqpUrl);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
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

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
