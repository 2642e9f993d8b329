using Celeriac.Interop.Tests.Support;
using Celeriac.RabbitMQ.Client;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// One vhost, one worker (Python Celery's or Celeriac's, concurrency 1, <c>tasks.add</c> taking 0.5 s), the .NET
/// client and an event watcher, shared by the tests of a <see cref="DotNetClientTests{TFixture}"/> class.
/// </summary>
public abstract class DotNetClientFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private TaskEventWatcher? _events;
    private WorkerNode? _worker;
    private CeleryClient? _client;

    public LogRelay Log { get; } = new();

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public TaskEventWatcher Events => _events ?? throw NotStarted();

    public WorkerNode Worker => _worker ?? throw NotStarted();

    public CeleryClient Client => _client ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync(VirtualHostPrefix);
        _events = await TaskEventWatcher.StartAsync(_virtualHost, Log.WriteLine);
        _worker = await StartWorkerAsync(_virtualHost, Log.WriteLine);
        _client = CeleryClient.Create(_virtualHost.AmqpUrl);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
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

    protected abstract string VirtualHostPrefix { get; }

    protected abstract Task<WorkerNode> StartWorkerAsync(RabbitMqVirtualHost vhost, Action<string> log);

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}

/// <summary>A real Python Celery worker running <c>Python/worker_tasks.py</c>.</summary>
public sealed class PythonWorkerFixture : DotNetClientFixture
{
    protected override string VirtualHostPrefix => "interop-net2py";

    protected override Task<WorkerNode> StartWorkerAsync(RabbitMqVirtualHost vhost, Action<string> log) =>
        WorkerNode.StartPythonAsync(vhost, log, new Dictionary<string, string> { ["ADD_SLEEP"] = "0.5" });
}

/// <summary>The real <c>celeriac worker</c>.</summary>
public sealed class CeleriacWorkerFixture : DotNetClientFixture
{
    protected override string VirtualHostPrefix => "interop-net2cel";

    protected override Task<WorkerNode> StartWorkerAsync(RabbitMqVirtualHost vhost, Action<string> log) =>
        WorkerNode.StartCeleriacAsync(vhost, log, new Dictionary<string, string> { ["CELERIAC_DEMO_ADD_SLEEP"] = "0.5" });
}
