using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// One vhost, one <c>celeriac worker --concurrency 1</c> whose <c>tasks.add</c> takes 1 s (as in the README's
/// walkthrough), one Python client importing the user's <c>tasks.py</c>, and an event watcher, shared by the tests of
/// <see cref="PythonClientToCeleriacWorkerTests"/>. Each test leaves the worker idle.
/// </summary>
public sealed class PythonClientToCeleriacWorkerFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private TaskEventWatcher? _events;
    private WorkerNode? _worker;
    private PythonClient? _python;

    public LogRelay Log { get; } = new();

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public TaskEventWatcher Events => _events ?? throw NotStarted();

    public WorkerNode Worker => _worker ?? throw NotStarted();

    public PythonClient Python => _python ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-py2cel");
        _events = await TaskEventWatcher.StartAsync(_virtualHost, Log.WriteLine);
        _worker = await WorkerNode.StartCeleriacAsync(_virtualHost, Log.WriteLine,
            new Dictionary<string, string> { ["CELERIAC_DEMO_ADD_SLEEP"] = "1" });
        _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        if (_python is not null)
        {
            await _python.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_events is not null)
        {
            await _events.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
