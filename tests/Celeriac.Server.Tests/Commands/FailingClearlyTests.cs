using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Commands;

/// <summary>
/// Everyday mistakes end a command with one line that says what is wrong and a non-zero exit code: no stack trace, no
/// endless retry, no secret printed.
/// </summary>
public sealed class FailingClearlyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-cli-").FullName;
    private RabbitMqVirtualHost? _virtualHost;

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("cli-failures");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        ServerFixture.TryDelete(_dataDirectory);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Inspect_UnknownVirtualHost_SaysSoInOneLineAndExits1()
    {
        var broker = new UriBuilder(TestEnvironment.BrokerUrl) { Path = "/no-such-vhost" }.Uri.ToString();

        var (code, lines) = await RunAsync("inspect", "ping", "--broker", broker);

        Assert.Equal(1, code);
        var line = Assert.Single(lines);
        Assert.Contains("virtual host 'no-such-vhost' does not exist", line, StringComparison.Ordinal);
        Assert.DoesNotContain("guest:guest", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Call_WrongPassword_SaysSoInOneLineAndExits1()
    {
        var broker = new UriBuilder(TestEnvironment.BrokerUrl) { Password = "not-the-password" }.Uri.ToString();

        var (code, lines) = await RunAsync("call", "tasks.add", "2", "3", "--broker", broker);

        Assert.Equal(1, code);
        var line = Assert.Single(lines);
        Assert.Contains("refused the user name or password", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Inspect_NoBrokerAnswers_GivesUpWithinTheConnectTimeInOneLine()
    {
        var closedPort = FreeTcpPort.Next();

        var (code, lines) = await RunAsync("inspect", "ping", "--broker", $"amqp://guest:guest@127.0.0.1:{closedPort}/");

        Assert.Equal(1, code);
        var line = Assert.Single(lines);
        Assert.Contains($"Cannot connect to amqp://guest:**@127.0.0.1:{closedPort}/", line, StringComparison.Ordinal);
        Assert.Contains("gave up after", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_DataDirectoryUnderAFile_StopsAtStartNamingThePathAndTheCause()
    {
        var file = Path.Combine(_dataDirectory, "not-a-folder");
        await File.WriteAllTextAsync(file, "");

        var (code, lines) = await RunAsync("worker", "--broker", _virtualHost!.AmqpUrl, "--data-dir", Path.Combine(file, "data"));

        Assert.Equal(1, code);
        var line = Assert.Single(lines);
        Assert.Contains($"The data directory {Path.Combine(file, "data")} cannot be used: {file} is a file, not a folder", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Help_BrokerUrlWithAPasswordInTheEnvironment_NeverPrintsIt()
    {
        var environment = new Dictionary<string, string> { ["CELERIAC_BROKER_URL"] = "amqp://admin:S3cretPass@rabbit.invalid:5672/" };

        foreach (var command in new[] { "--help", "worker --help", "serve --help", "inspect --help" })
        {
            var (code, lines) = await RunAsync(environment, command.Split(' '));

            Assert.Equal(0, code);
            Assert.Contains(lines, l => l.Contains("--broker", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("S3cretPass", StringComparison.Ordinal));
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_Starting_PrintsABannerWithItsSettingsAndTasks()
    {
        await using var worker = ManagedProcess.Start("dotnet",
            [TestEnvironment.CeleriacDll, "worker", "--broker", _virtualHost!.AmqpUrl, "--data-dir", _dataDirectory, "-c", "3", "-n", "banner@test", "-Q", "celery,extra"],
            log: output.WriteLine, label: "celeriac-worker");

        await worker.WaitForLineAsync("banner@test ready.", TestTimeouts.Long);

        var banner = worker.Lines.TakeWhile(l => !l.Contains("ready.", StringComparison.Ordinal)).ToArray();
        Assert.Contains(banner, l => l.StartsWith("celeriac ", StringComparison.Ordinal) && l.Contains("(worker)", StringComparison.Ordinal));
        Assert.Contains("  node:         banner@test", banner);
        Assert.Contains(banner, l => l.StartsWith("  broker:       amqp://guest:**@", StringComparison.Ordinal));
        Assert.Contains("  concurrency:  3, prefetch 12 (3 x 4)", banner);
        Assert.Contains("  queues:       celery, extra", banner);
        Assert.Contains("  task events:  on", banner);
        Assert.Contains($"  records:      SQLite in {_dataDirectory}", banner);
        Assert.Contains("  . tasks.add", banner);
        Assert.DoesNotContain(banner, l => l.Contains("guest:guest", StringComparison.Ordinal));
        worker.Signal(15);
        Assert.Equal(0, await worker.WaitForExitAsync(TestTimeouts.Long));
    }

    private Task<(int Code, IReadOnlyList<string> Lines)> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    private async Task<(int Code, IReadOnlyList<string> Lines)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        await using var process = ManagedProcess.Start("dotnet", [TestEnvironment.CeleriacDll, .. arguments], environment, log: output.WriteLine,
            label: "celeriac");
        var code = await process.WaitForExitAsync(TestTimeouts.Long);
        return (code, process.Lines.Where(l => l.Length > 0).ToArray());
    }
}
