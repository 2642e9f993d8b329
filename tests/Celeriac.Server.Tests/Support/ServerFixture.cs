using Celeriac.Testing;

namespace Celeriac.Server.Tests.Support;

/// <summary>
/// One vhost, one temporary data folder and one real <c>celeriac serve</c> (concurrency 1) on a free loopback port,
/// shared by the tests of a class. Subclasses say whether the server runs its embedded worker and what else it gets.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;
    private CeleriacServerProcess? _server;
    private HttpClient? _http;

    public LogRelay Log { get; } = new();

    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw NotStarted();

    public CeleriacServerProcess Server => _server ?? throw NotStarted();

    public TaskApiClient Api { get; private set; } = null!;

    /// <summary>The server's <c>--data-dir</c> (its <c>tasks.db</c>), deleted on dispose.</summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("celeriac-server-tests-").FullName;

    /// <summary>The vhost name's prefix, to tell the classes' vhosts apart on the node.</summary>
    protected abstract string VirtualHostPrefix { get; }

    /// <summary>True (default) for <c>serve</c> with its embedded worker, false for <c>serve --no-worker</c>.</summary>
    protected virtual bool RunsWorker => true;

    /// <summary>More command line arguments (e.g. <c>--api-key</c>).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Environment variables of the server.</summary>
    protected virtual IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string>();

    public virtual async Task InitializeAsync()
    {
        _virtualHost = await RabbitMqVirtualHost.CreateAsync(VirtualHostPrefix);
        _server = await CeleriacServerProcess.StartAsync(_virtualHost, DataDirectory, Log.WriteLine, RunsWorker, extraArguments: ExtraArguments,
            environment: ServerEnvironment);
        _http = _server.CreateClient();
        Api = new TaskApiClient(_http);
    }

    public virtual async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        TryDelete(DataDirectory);
    }

    /// <summary>Deletes a temporary folder; a leftover in /tmp is not worth failing a test for.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind.
        }
    }

    private static InvalidOperationException NotStarted() => new("The fixture has not started.");
}

/// <summary><c>celeriac serve</c> with its embedded worker (concurrency 1).</summary>
public sealed class WorkerServerFixture : ServerFixture
{
    protected override string VirtualHostPrefix => "server";
}

/// <summary><c>celeriac serve --no-worker</c>: tasks sent through the API stay in the queue.</summary>
public sealed class ApiOnlyServerFixture : ServerFixture
{
    protected override string VirtualHostPrefix => "server-api";

    protected override bool RunsWorker => false;
}
