using Celeriac.Testing;

namespace Celeriac.Dashboard.Tests.Support;

/// <summary>
/// A real <c>celeriac serve</c> (embedded worker, concurrency 1) with its dashboard, on a vhost and data folder of its
/// own, with the test node's management API. Can be stopped and started again on the same data.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private string[] _arguments;
    private CeleriacServerProcess? _process;

    private DashboardServer(RabbitMqVirtualHost vhost, string[] arguments, LogRelay log)
    {
        VirtualHost = vhost;
        _arguments = arguments;
        Log = log;
    }

    public RabbitMqVirtualHost VirtualHost { get; }

    public LogRelay Log { get; }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("celeriac-dashboard-tests-").FullName;

    public CeleriacServerProcess Process => _process ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>The dashboard's address, e.g. <c>http://127.0.0.1:41234/dashboard/</c>.</summary>
    public Uri Dashboard => new(Process.BaseAddress, "dashboard/");

    /// <summary>A server on a new vhost and data folder, not started yet (to put records in its folder first).</summary>
    public static async Task<DashboardServer> CreateAsync(string vhostPrefix, LogRelay log, params string[] arguments) =>
        new(await RabbitMqVirtualHost.CreateAsync(vhostPrefix), arguments, log);

    public static async Task<DashboardServer> StartAsync(string vhostPrefix, LogRelay log, params string[] arguments)
    {
        var server = await CreateAsync(vhostPrefix, log, arguments);
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Starts the server (again) on the same vhost and data; with <paramref name="arguments"/> instead of the first start's.</summary>
    public async Task StartAsync(params string[] arguments)
    {
        if (arguments.Length > 0)
        {
            _arguments = arguments;
        }

        _process = await CeleriacServerProcess.StartAsync(VirtualHost, DataDirectory, Log.WriteLine, extraArguments: _arguments,
            environment: new Dictionary<string, string>
            {
                ["Celeriac__Dashboard__ManagementUrl"] = TestEnvironment.ManagementUrl.ToString(),
                ["CELERIAC_API_KEYS"] = "",
            });
    }

    /// <summary>A warm shutdown, as a service manager stops it.</summary>
    public async Task StopAsync()
    {
        var exit = await Process.StopAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"celeriac serve exited with {exit}");
        await Process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        await VirtualHost.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind in /tmp.
        }
    }
}
