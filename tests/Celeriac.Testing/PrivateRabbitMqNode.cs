using System.Diagnostics;
using System.Globalization;

namespace Celeriac.Testing;

/// <summary>
/// A RabbitMQ node of its own (<c>infra/rabbitmq.sh</c>) on free loopback ports, for tests that take the broker away:
/// stopping the shared test node would break every other test running on it. Killed and deleted on dispose.
/// </summary>
public sealed class PrivateRabbitMqNode : IAsyncDisposable
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _dataDirectory;

    private PrivateRabbitMqNode(string dataDirectory, int amqpPort, int managementPort)
    {
        _dataDirectory = dataDirectory;
        BrokerUrl = new Uri($"amqp://guest:guest@127.0.0.1:{amqpPort.ToString(CultureInfo.InvariantCulture)}/");
        ManagementUrl = new Uri($"http://127.0.0.1:{managementPort.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The AMQP URL of the node's default vhost.</summary>
    public Uri BrokerUrl { get; }

    /// <summary>The node's management API (guest/guest).</summary>
    public Uri ManagementUrl { get; }

    /// <summary>Starts a node with a unique name on four free ports (AMQP, management, distribution, epmd) and waits until it accepts connections.</summary>
    public static async Task<PrivateRabbitMqNode> StartAsync(Action<string>? log = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("celeriac-fault-node-").FullName;
            var ports = Enumerable.Range(0, 4).Select(_ => FreeTcpPort.Next()).ToArray();
            var name = $"celeriac-fault-{Guid.NewGuid().ToString("N")[..8]}@localhost";
            var node = new PrivateRabbitMqNode(directory, ports[0], ports[1]);
            var (code, output) = await RunScriptAsync(["start", name, .. ports.Select(p => p.ToString(CultureInfo.InvariantCulture)), directory]);
            log?.Invoke($"[rabbitmq] {output.Trim()}");
            if (code == 0)
            {
                return node;
            }

            await node.DisposeAsync();
            // Another process may take a port between FreeTcpPort and the node's bind: try other ports.
            if (attempt == 3 || !output.Contains("already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The private RabbitMQ node did not start ({code}):\n{output}");
            }
        }
    }

    /// <summary><c>rabbitmqctl stop_app</c>: the broker closes every connection and refuses new ones; durable queues and persistent messages stay.</summary>
    public Task StopAppAsync() => CtlAsync("stop_app");

    /// <summary><c>rabbitmqctl start_app</c>: the broker is back, with what was durable.</summary>
    public Task StartAppAsync() => CtlAsync("start_app");

    /// <summary>Runs a <c>rabbitmqctl</c> command against this node; fails with its output when it fails.</summary>
    public async Task CtlAsync(params string[] arguments)
    {
        var (code, output) = await RunScriptAsync(["ctl", _dataDirectory, .. arguments]);
        if (code != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({code}):\n{output}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await RunScriptAsync(["stop", "--kill", _dataDirectory]);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }

    private static async Task<(int Code, string Output)> RunScriptAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(TestEnvironment.RepositoryRoot, "infra", "rabbitmq.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start infra/rabbitmq.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_commandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/rabbitmq.sh {string.Join(' ', info.ArgumentList)} did not finish within {s_commandTimeout.TotalSeconds:0}s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
