using System.Text.RegularExpressions;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests.Support;

/// <summary>A running worker (Celeriac's or Python Celery's) and the node name it announced.</summary>
public sealed partial class WorkerNode(ManagedProcess process, string name) : IAsyncDisposable
{
    /// <summary>The worker process and its output.</summary>
    public ManagedProcess Process { get; } = process;

    /// <summary>The node name as control replies and events carry it, e.g. <c>py-1a2b3c@host</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Starts <c>celeriac worker</c> (concurrency 1) with a fixed node name.</summary>
    public static async Task<WorkerNode> StartCeleriacAsync(RabbitMqVirtualHost vhost, Action<string> log, IReadOnlyDictionary<string, string>? environment = null)
    {
        var name = $"celeriac-{Guid.NewGuid().ToString("N")[..6]}@interop";
        var process = await CeleriacWorkerProcess.StartAsync(vhost, log, concurrency: 1, hostname: name, environment: environment);
        return new WorkerNode(process, name);
    }

    /// <summary>
    /// Starts a real Python Celery worker with <c>Python/worker_tasks.py</c> (prefork, concurrency 1, task events on)
    /// and waits for its "ready." line, which names the node.
    /// </summary>
    public static async Task<WorkerNode> StartPythonAsync(RabbitMqVirtualHost vhost, Action<string> log, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["CELERY_BROKER_URL"] = vhost.PyAmqpUrl };
        var process = ManagedProcess.Start(TestEnvironment.Python,
            ["-m", "celery", "-A", "worker_tasks", "worker", "--loglevel=info", "--concurrency=1", "-E", "-n", $"py-{Guid.NewGuid().ToString("N")[..6]}@%h",
                "--without-mingle", "--without-gossip"],
            variables, workingDirectory: PythonClient.HelpersDirectory, log: log, label: "python-worker");
        try
        {
            var ready = await process.WaitForLineAsync(ReadyLine(), TestTimeouts.Long);
            return new WorkerNode(process, ReadyLine().Match(ready).Groups["node"].Value);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for a worker log line that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForLogAsync(string text, TimeSpan? timeout = null) => Process.WaitForLineAsync(text, timeout ?? TestTimeouts.Short);

    /// <summary>Waits for a worker log line that matches <paramref name="pattern"/>.</summary>
    public Task<string> WaitForLogAsync(Regex pattern, TimeSpan? timeout = null) => Process.WaitForLineAsync(pattern, timeout ?? TestTimeouts.Short);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    // "[2026-11-21 10:00:00,123: INFO/MainProcess] py-1a2b3c@host ready." (Celery and Celeriac alike).
    [GeneratedRegex(@"\] (?<node>\S+@\S+) ready\.$")]
    private static partial Regex ReadyLine();
}
