using Celeriac.Functions.Tests.Support;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Functions.Tests.EndToEnd;

/// <summary>
/// Celery events from the Functions app, as a monitor sees them: the README's Python monitor
/// (<c>examples/python/monitor.py</c>, Celery's <c>app.events.Receiver</c> + <c>State</c>), a bare Receiver that also
/// prints worker heartbeats, and <c>celeriac events</c>, all watching tasks run by the RabbitMQ-triggered function.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class FunctionsEventsTests : IAsyncLifetime
{
    private readonly FunctionsAppFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly List<ManagedProcess> _monitors = [];

    public FunctionsEventsTests(FunctionsAppFixture fixture, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(output);
        _fixture = fixture;
        _output = output;
        fixture.Log.Attach(output.WriteLine);
    }

    private PythonClient Python => _fixture.Python;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var monitor in _monitors)
        {
            await monitor.DisposeAsync();
        }

        _fixture.Log.Detach();
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Monitors_SuccessFailureAndTerminate_PrintEveryTransitionAndTheNodesHeartbeats()
    {
        var environment = new Dictionary<string, string> { ["CELERY_BROKER_URL"] = _fixture.VirtualHost.PyAmqpUrl };
        var monitor = Start(TestEnvironment.Python, ["monitor.py"], environment, PythonClient.ExamplesDirectory, "python-monitor");
        var capture = Start(TestEnvironment.Python, [Path.Combine(PythonClient.HelpersDirectory, "events_capture.py"), PythonClient.ExamplesDirectory],
            environment, null, "python-receiver");
        var celeriacEvents = Start("dotnet", [TestEnvironment.CeleriacDll, "events", "--broker", _fixture.VirtualHost.AmqpUrl], null, null, "celeriac-events");
        await celeriacEvents.WaitForLineAsync("Listening for events", TestTimeouts.Long);
        await WarmUpAsync(monitor, capture, celeriacEvents);

        var added = await Python.DelayAsync(2, 3);
        var failed = await Python.SendTaskAsync("tasks.fail", ["boom"]);
        var slept = await Python.SendTaskAsync("tasks.sleep", [60]);
        await WaitForStatusAsync("STARTED", slept, monitor, celeriacEvents);
        await Python.RevokeAsync(slept, terminate: true);
        await WaitForStatusAsync("REVOKED", slept, monitor, celeriacEvents);
        // A fence: events reach each monitor in order, so once all printed its success they printed everything before it.
        var fence = await Python.SendTaskAsync("tasks.noop");
        await WaitForStatusAsync("SUCCESS", fence, monitor, celeriacEvents);
        await capture.WaitForLineAsync($"Event: task-succeeded {fence}", TestTimeouts.Short);

        foreach (var (id, name, final, finalEvent) in new[]
        {
            (added, "tasks.add", "SUCCESS", "task-succeeded"), (failed, "tasks.fail", "FAILURE", "task-failed"), (slept, "tasks.sleep", "REVOKED", "task-revoked"),
        })
        {
            var printed = StatusLines(monitor, id);
            Assert.Equal(printed, StatusLines(celeriacEvents, id));
            foreach (var state in new[] { "RECEIVED", "STARTED", final })
            {
                Assert.True(printed.Any(l => l.StartsWith($"Status: {state}[{name}] {id} {{", StringComparison.Ordinal)),
                    $"expected the Python monitor to print a {state} line for {name} {id}; it printed:\n{string.Join('\n', printed)}");
            }

            Assert.Equal([$"Event: task-received {id}", $"Event: task-started {id}", $"Event: {finalEvent} {id}"],
                capture.Lines.Where(l => l.StartsWith("Event: task-", StringComparison.Ordinal) && l.EndsWith($" {id}", StringComparison.Ordinal)));
        }

        Assert.Contains(StatusLines(monitor, added), l => l.StartsWith("Status: SUCCESS", StringComparison.Ordinal)
            && l.Contains("'result': '5'", StringComparison.Ordinal));
        Assert.Contains(StatusLines(monitor, failed), l => l.StartsWith("Status: FAILURE", StringComparison.Ordinal)
            && l.Contains("'exception': \"InvalidOperationException('boom')\"", StringComparison.Ordinal));
        // The node's control listener sends heartbeats while the trigger delivers the tasks, so monitors see a live worker.
        await capture.WaitForLineAsync(l => l.StartsWith("Event: worker-heartbeat celeriac-functions@", StringComparison.Ordinal), TestTimeouts.Short,
            "a worker-heartbeat from the Functions app's node");
    }

    private ManagedProcess Start(string fileName, string[] arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory, string label)
    {
        var process = ManagedProcess.Start(fileName, arguments, environment, workingDirectory, _output.WriteLine, label);
        _monitors.Add(process);
        return process;
    }

    /// <summary>The monitors subscribe asynchronously: send no-op tasks until each printed one's success.</summary>
    private async Task WarmUpAsync(ManagedProcess monitor, ManagedProcess capture, ManagedProcess celeriacEvents)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Long;
        while (true)
        {
            var id = await Python.SendTaskAsync("tasks.noop");
            try
            {
                await monitor.WaitForLineAsync($"Status: SUCCESS[tasks.noop] {id} ", TimeSpan.FromSeconds(5));
                await celeriacEvents.WaitForLineAsync($"Status: SUCCESS[tasks.noop] {id} ", TimeSpan.FromSeconds(5));
                await capture.WaitForLineAsync($"Event: task-succeeded {id}", TimeSpan.FromSeconds(5));
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
                TestTimeouts.Long, $"a {state} status line for {id}");
        }
    }

    private static string[] StatusLines(ManagedProcess monitor, string id) =>
        monitor.Lines.Where(l => l.StartsWith("Status: ", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
}
