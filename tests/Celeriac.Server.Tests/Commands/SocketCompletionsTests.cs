using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Commands;

/// <summary>
/// <c>celeriac worker</c> runs socket completions inline (<see cref="SocketCompletions"/>) unless the environment says
/// otherwise. Seen from outside through the runtime's socket event threads, named ".NET Sockets": with inline
/// completions the runtime starts one per core, otherwise one per 30 cores (at least one). The child is told it has two cores
/// (<c>DOTNET_PROCESSOR_COUNT</c>), so the two cases differ on any machine.
/// </summary>
public sealed class SocketCompletionsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("socket-completions");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_EnvironmentSilent_RunsOneSocketEventThreadPerCore()
    {
        var threads = await SocketEventThreadsOfWorkerAsync(new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "2" });

        Assert.Equal(2, threads);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Worker_EnvironmentTurnsItOff_KeepsTheRuntimesSingleSocketEventThread()
    {
        var threads = await SocketEventThreadsOfWorkerAsync(new Dictionary<string, string>
        {
            ["DOTNET_PROCESSOR_COUNT"] = "2",
            [SocketCompletions.Variable] = "0",
        });

        Assert.Equal(1, threads);
    }

    private async Task<int> SocketEventThreadsOfWorkerAsync(Dictionary<string, string> environment)
    {
        Assert.True(Environment.GetEnvironmentVariable(SocketCompletions.Variable) is null,
            $"{SocketCompletions.Variable} is set in the test process, and the worker would inherit it: unset it to run this test.");
        await using var worker = await CeleriacWorkerProcess.StartAsync(_virtualHost!, output.WriteLine, environment: environment);
        // Ready means connected to the broker, and the runtime makes all its event threads with the first socket.
        return Directory.EnumerateDirectories($"/proc/{worker.Id}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Sockets");
    }
}
