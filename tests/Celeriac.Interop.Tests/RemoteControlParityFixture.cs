using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// One vhost with two idle workers side by side, a real Python Celery 5.2.6 worker and <c>celeriac worker</c>, and a
/// Python client that sends both the same remote-control commands, so their replies can be compared.
/// </summary>
public sealed class RemoteControlParityFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private WorkerNode? _celeriac;
    private WorkerNode? _celery;
    private PythonClient? _python;

    public LogRelay Log { get; } = new();

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public WorkerNode Celeriac => _celeriac ?? throw NotStarted();

    public WorkerNode Celery => _celery ?? throw NotStarted();

    public PythonClient Python => _python ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-control");
        _celeriac = await WorkerNode.StartCeleriacAsync(_virtualHost, Log.WriteLine);
        _celery = await WorkerNode.StartPythonAsync(_virtualHost, Log.WriteLine);
        _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        foreach (var part in new IAsyncDisposable?[] { _python, _celery, _celeriac, _virtualHost })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
