using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 2, step 5: the README's Python events monitor (<c>examples/python/monitor.py</c>, Celery's
/// <c>app.events.Receiver</c> + <c>app.events.State</c>) and <c>celeriac events</c> watch the same Celeriac worker and
/// print the same <c>Status: ...</c> lines for a success, a failure and a terminated task.
/// </summary>
public sealed class EventsMonitorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private RabbitMqVirtualHost _vhost = null!;

    public async Task InitializeAsync() => _vhost = await RabbitMqVirtualHost.CreateAsync("interop-events");

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        await _vhost.DisposeAsync();
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CeleriacEvents_SuccessFailureAndTerminate_PrintsTheSameStatusLinesAsPythonMonitor()
    {
        var worker = Own(await WorkerNode.StartCeleriacAsync(_vhost, output.WriteLine));
        var celeriacEvents = Own(ManagedProcess.Start("dotnet", [TestEnvironment.CeleriacDll, "events", "--broker", _vhost.AmqpUrl], log: output.WriteLine,
            label: "celeriac-events"));
        var monitor = Own(ManagedProcess.Start(TestEnvironment.Python, ["monitor.py"],
            new Dictionary<string, string> { ["CELERY_BROKER_URL"] = _vhost.PyAmqpUrl }, workingDirectory: PythonClient.ExamplesDirectory,
            log: output.WriteLine, label: "python-monitor"));
        var python = Own(await PythonClient.StartAsync(_vhost, output.WriteLine));
        await celeriacEvents.WaitForLineAsync("Listening for events", TestTimeouts.Long);
        await WarmUpAsync(python, celeriacEvents, monitor);

        var added = await python.DelayAsync(2, 3);
        var failed = await python.SendTaskAsync("tasks.fail", ["boom"]);
        var slept = await python.SendTaskAsync("tasks.sleep", [30]);
        await WaitForStatusAsync("STARTED", slept, celeriacEvents, monitor);
        await python.RevokeAsync(slept, terminate: true);
        await WaitForStatusAsync("SUCCESS", added, celeriacEvents, monitor);
        await WaitForStatusAsync("FAILURE", failed, celeriacEvents, monitor);
        await WaitForStatusAsync("REVOKED", slept, celeriacEvents, monitor);
        // A last task as a fence: events reach each monitor in order, so once both printed its success, both have
        // printed every line about the tasks before it.
        var fence = await python.SendTaskAsync("tasks.noop");
        await WaitForStatusAsync("SUCCESS", fence, celeriacEvents, monitor);

        foreach (var (id, name, final) in new[] { (added, "tasks.add", "SUCCESS"), (failed, "tasks.fail", "FAILURE"), (slept, "tasks.sleep", "REVOKED") })
        {
            var expected = StatusLines(monitor, id);
            Assert.Equal(expected, StatusLines(celeriacEvents, id));
            foreach (var state in new[] { "RECEIVED", "STARTED", final })
            {
                Assert.True(expected.Any(l => l.StartsWith($"Status: {state}[{name}] {id} {{", StringComparison.Ordinal)),
                    $"expected the Python monitor to print a {state} line for {name} {id}; it printed:\n{string.Join('\n', expected)}");
            }
        }

        Assert.Contains(StatusLines(monitor, added), l => l.StartsWith("Status: SUCCESS", StringComparison.Ordinal) && l.Contains("'args': '(2, 3)'", StringComparison.Ordinal)
            && l.Contains("'result': '5'", StringComparison.Ordinal) && l.Contains("'runtime': ", StringComparison.Ordinal));
        Assert.Contains(StatusLines(monitor, failed), l => l.StartsWith("Status: FAILURE", StringComparison.Ordinal)
            && l.Contains("'exception': \"InvalidOperationException('boom')\"", StringComparison.Ordinal));
    }

    private T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>
    /// Both monitors subscribe asynchronously: send no-op tasks until both printed one's success, so neither misses
    /// the events the test is about.
    /// </summary>
    private static async Task WarmUpAsync(PythonClient python, params ManagedProcess[] monitors)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            var id = await python.SendTaskAsync("tasks.noop");
            try
            {
                foreach (var monitor in monitors)
                {
                    await monitor.WaitForLineAsync($"Status: SUCCESS[tasks.noop] {id} ", TimeSpan.FromSeconds(3));
                }

                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // A monitor was not listening yet: try another task.
            }
        }
    }

    private static async Task WaitForStatusAsync(string state, string id, params ManagedProcess[] monitors)
    {
        foreach (var monitor in monitors)
        {
            await monitor.WaitForLineAsync(l => l.StartsWith($"Status: {state}[", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal),
                TestTimeouts.Short, $"a {state} status line for {id}");
        }
    }

    private static string[] StatusLines(ManagedProcess monitor, string id) =>
        monitor.Lines.Where(l => l.StartsWith("Status: ", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
}
