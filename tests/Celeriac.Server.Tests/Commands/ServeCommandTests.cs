using System.Net;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Commands;

/// <summary>The command line of the server: <c>celeriac</c> alone runs <c>serve</c> (as <c>./run.sh</c> with no arguments does), on loopback by default.</summary>
public sealed class ServeCommandTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-server-tests-").FullName;
    private RabbitMqVirtualHost? _virtualHost;

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("server-cli");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        ServerFixture.TryDelete(_dataDirectory);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Root_NoSubcommand_ServesTheApiWithItsEmbeddedWorkerOnTheGivenUrls()
    {
        await using var server = await CeleriacServerProcess.StartAsync(_virtualHost!, _dataDirectory, output.WriteLine, command: null);
        using var http = server.CreateClient();
        var api = new TaskApiClient(http);

        var id = await api.SendAsync("tasks.add", """{"args": [2, 3]}""");

        var done = await api.WaitForFinalAsync(id);
        Assert.True(done.State == "SUCCESS" && done.Json.GetProperty("result").GetRawText() == "5", $"the embedded worker should run tasks.add, got {done}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Serve_NoUrlsOption_BindsToLoopbackPort7071Only()
    {
        // No --urls: the default. Another process on this machine may hold 7071; then the failed bind names the address
        // just as well as a successful one.
        await using var server = ManagedProcess.Start("dotnet",
            [TestEnvironment.CeleriacDll, "serve", "--no-worker", "--broker", _virtualHost!.AmqpUrl, "--data-dir", _dataDirectory],
            log: output.WriteLine, label: "celeriac-serve");

        var line = await server.WaitForLineAsync(l => l.Contains("Now listening on:", StringComparison.Ordinal) || l.Contains("Cannot listen on", StringComparison.Ordinal),
            TestTimeouts.Long, "the line saying where the API listens");

        Assert.True(line.Contains("http://127.0.0.1:7071", StringComparison.Ordinal), $"expected the API on http://127.0.0.1:7071 by default, got: {line}");
        if (line.Contains("Now listening on:", StringComparison.Ordinal))
        {
            await server.WaitForLineAsync("Application started", TestTimeouts.Short);
            Assert.Single(server.Lines, l => l.Contains("Now listening on:", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:7071/") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/tasks?limit=1")).StatusCode);
            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync(TestTimeouts.Long));
        }
    }
}
