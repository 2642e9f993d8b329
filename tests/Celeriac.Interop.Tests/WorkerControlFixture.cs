using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// One vhost with one <c>celeriac worker --concurrency 1</c>, a Python Celery client and an event watcher, for tests that
/// change the worker with remote control (its queues, its pool). Each test class gets its own, and each test puts back
/// what it changed.
/// </summary>
public sealed class WorkerControlFixture : IAsyncLifetime
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
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-ctl");
        _events = await TaskEventWatcher.StartAsync(_virtualHost, Log.WriteLine);
        _worker = await WorkerNode.StartCeleriacAsync(_virtualHost, Log.WriteLine);
        _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        foreach (var part in new IAsyncDisposable?[] { _python, _worker, _events, _virtualHost })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
