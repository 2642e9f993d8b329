using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// One vhost, one <c>celeriac serve</c> (HTTP API, task records in SQLite, an embedded worker), one Python client and
/// an event watcher, shared by the tests of <see cref="RetryInteropTests"/>.
/// </summary>
public sealed class RetryInteropFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-retry-interop-").FullName;
    private RabbitMqVirtualHost? _virtualHost;
    private TaskEventWatcher? _events;
    private CeleriacServerProcess? _server;
    private PythonClient? _python;

    public LogRelay Log { get; } = new();

    public TaskEventWatcher Events => _events ?? throw NotStarted();

    public CeleriacServerProcess Server => _server ?? throw NotStarted();

    public PythonClient Python => _python ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-retry");
        _events = await TaskEventWatcher.StartAsync(_virtualHost, Log.WriteLine);
        _server = await CeleriacServerProcess.StartAsync(_virtualHost, _dataDirectory, Log.WriteLine, concurrency: 2);
        _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        if (_python is not null)
        {
            await _python.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
