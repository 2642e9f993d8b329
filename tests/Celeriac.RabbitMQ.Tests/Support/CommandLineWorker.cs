using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Starts the real <c>celeriac worker</c> with a known node name, its output in the test log under that name.</summary>
public static class CommandLineWorker
{
    public static Task<ManagedProcess> StartAsync(RabbitMqVirtualHost virtualHost, ITestOutputHelper output, string node, int concurrency = 1,
        string? stateDirectory = null, IEnumerable<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        return CeleriacWorkerProcess.StartAsync(virtualHost, line => output.WriteLine($"[{node}] {line}"), concurrency, node, stateDirectory,
            extraArguments, environment);
    }

    /// <summary>Waits for the worker to exit and asserts it exited 0, as a warm shutdown does.</summary>
    public static async Task AssertExitsZeroAsync(ManagedProcess worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var code = await worker.WaitForExitAsync(TestTimeouts.Long);
        Assert.True(code == 0, $"Expected the worker to exit 0 after a warm shutdown; it exited {code}. Output:\n{worker.Output}");
    }
}
