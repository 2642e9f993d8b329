using System.Net;
using System.Text.Json;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Commands;

/// <summary>
/// The command line reads its settings as an ASP.NET Core app does: <c>appsettings.json</c>, then
/// <c>appsettings.{Environment}.json</c>, then <c>CELERIAC__...</c> variables, from the current directory or <c>--config</c>;
/// flags given on the command line win over all of them.
/// </summary>
public sealed class ConfigurationFileTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-config-tests-").FullName;
    private RabbitMqVirtualHost? _virtualHost;

    private RabbitMqVirtualHost VirtualHost => _virtualHost!;

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("server-config");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        ServerFixture.TryDelete(_directory);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_AppSettingsInTheCurrentDirectory_AreReadWithTheEnvironmentFileAndVariablesOverThem()
    {
        var records = Path.Combine(_directory, "records");
        Write("appsettings.json", new
        {
            Celeriac = new
            {
                RabbitMq = new { Url = VirtualHost.AmqpUrl },
                Sqlite = new { FilePath = Path.Combine(records, "tasks.db") },
                Worker = new { Hostname = "fromjson@%h", Concurrency = 3, Queues = new[] { "json-queue" } },
            },
        });
        Write("appsettings.Staging.json", new { Celeriac = new { Worker = new { Concurrency = 2 } } });

        await using var worker = ManagedProcess.Start("dotnet", [TestEnvironment.CeleriacDll, "worker"],
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Staging", ["CELERIAC__WORKER__PREFETCHMULTIPLIER"] = "5" },
            workingDirectory: _directory, log: output.WriteLine, label: "celeriac-worker");

        await worker.WaitForLineAsync(" ready.", TestTimeouts.Long);
        AssertBannerSays(worker, "node:", $"fromjson@{Environment.MachineName}");
        AssertBannerSays(worker, "concurrency:", "2, prefetch 10 (2 x 5)");
        AssertBannerSays(worker, "queues:", "json-queue");
        AssertBannerSays(worker, "records:", $"SQLite in {records}");
        AssertBannerSays(worker, "broker:", VirtualHost.Name);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_ConfigOptionNamesAFile_ItIsReadAndFlagsWinOverIt()
    {
        var file = Path.Combine(_directory, "settings", "celeriac.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            Celeriac = new { RabbitMq = new { Url = VirtualHost.AmqpUrl }, Worker = new { Hostname = "fromfile@%h", Concurrency = 3 } },
        }));

        await using var worker = ManagedProcess.Start("dotnet",
            [TestEnvironment.CeleriacDll, "worker", "--config", file, "-c", "1", "--data-dir", Path.Combine(_directory, "data")],
            log: output.WriteLine, label: "celeriac-worker");

        await worker.WaitForLineAsync(" ready.", TestTimeouts.Long);
        AssertBannerSays(worker, "node:", $"fromfile@{Environment.MachineName}");
        AssertBannerSays(worker, "concurrency:", "1, prefetch 4 (1 x 4)");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Serve_TaskPatternInTheConfigFolder_IsAcceptedAndOtherNamesAre404()
    {
        var folder = Path.Combine(_directory, "conf");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "appsettings.json"), JsonSerializer.Serialize(new
        {
            Celeriac = new { Http = new { Tasks = new[] { "billing.*" }, DiscoverWorkerTasks = false } },
        }));

        await using var server = await CeleriacServerProcess.StartAsync(VirtualHost, Path.Combine(_directory, "data"), output.WriteLine, worker: false,
            extraArguments: ["--config", folder]);
        using var http = server.CreateClient();
        var api = new TaskApiClient(http);

        (await api.EnqueueAsync("billing.charge", """{"args": [7]}""")).AssertStatus(HttpStatusCode.Accepted, "Celeriac:Http:Tasks names billing.*");
        (await api.EnqueueAsync("shipping.send", "{}")).AssertStatus(HttpStatusCode.NotFound, "no pattern names shipping.send");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_ConfigOptionNamesNothing_FailsWithOneLine()
    {
        var missing = Path.Combine(_directory, "nowhere");

        await using var worker = ManagedProcess.Start("dotnet", [TestEnvironment.CeleriacDll, "worker", "--config", missing],
            log: output.WriteLine, label: "celeriac-worker");

        Assert.Equal(1, await worker.WaitForExitAsync(TestTimeouts.Long));
        Assert.Contains(worker.Lines, l => l == $"celeriac: --config {missing}: no such file or folder.");
    }

    private void Write(string name, object settings) => File.WriteAllText(Path.Combine(_directory, name), JsonSerializer.Serialize(settings));

    private static void AssertBannerSays(ManagedProcess process, string label, string expected) =>
        Assert.True(process.Lines.Any(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal)),
            $"expected the banner's '{label}' line to say '{expected}':\n{process.Output}");
}
