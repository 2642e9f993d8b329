using Celeriac.DurableTask.Testing;
using Celeriac.Functions.TestHost;
using Celeriac.RabbitMQ.Topology;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;
using RabbitMQ.Client;

namespace Celeriac.Functions.Tests.Support;

/// <summary>
/// The Functions app running for real, as far as this machine allows: the worker process under the test host, the
/// real Durable extension on Azurite (a fresh task hub), and a fresh vhost whose queues were declared beforehand, as
/// the README's declare step does before <c>func start</c> (the trigger refuses a missing queue).
/// </summary>
public sealed class FunctionsAppFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private FunctionsStack? _stack;
    private HttpClient? _http;
    private PythonClient? _python;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(DateTimeOffset, string)> _timedLines = new();

    public LogRelay Log { get; } = new();

    /// <summary>Every line the test host, the Durable extension and the worker logged so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>The same lines with the time each reached the fixture, for figures a test prints (never asserts on).</summary>
    public IReadOnlyCollection<(DateTimeOffset At, string Line)> TimedLines => _timedLines;

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public FunctionsStack Stack => _stack ?? throw NotStarted();

    public TaskApiClient Api { get; private set; } = null!;

    public PythonClient Python => _python ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("functions");
        await DeclareQueuesAsync(_virtualHost.AmqpUrl);
        _stack = await FunctionsStack.StartAsync(new FunctionsTestHostOptions
        {
            AppDirectory = FunctionsApp.Directory,
            AppDll = FunctionsApp.Dll,
            AppSettings = new Dictionary<string, string>
            {
                ["RabbitMQConnection"] = _virtualHost.AmqpUrl,
                // tasks.add sleeps a little, so a test can see it queued and running.
                ["CELERIAC_DEMO_ADD_SLEEP"] = "1",
            },
            Log = line =>
            {
                _lines.Enqueue(line);
                _timedLines.Enqueue((DateTimeOffset.UtcNow, line));
                Log.WriteLine(line);
            },
        }, AzuriteEnvironment.ConnectionString, DurableExtensionHost.NewHubName());
        _http = new HttpClient { BaseAddress = _stack.Functions.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        Api = new TaskApiClient(_http);
        _python = await PythonClient.StartAsync(_virtualHost, Log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        if (_python is not null)
        {
            await _python.DisposeAsync();
        }

        _http?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
    }

    // What a Celery worker declares, so the trigger finds its queue and events and control replies have their exchanges.
    internal static async Task DeclareQueuesAsync(string url)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await CeleryTopology.DeclareTaskQueueAsync(channel, "celery", CancellationToken.None);
        await CeleryTopology.DeclareParkingQueueAsync(channel, "celery", CancellationToken.None);
        await CeleryTopology.DeclareEventExchangeAsync(channel, CancellationToken.None);
        await CeleryTopology.DeclareControlExchangesAsync(channel, CancellationToken.None);
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}
