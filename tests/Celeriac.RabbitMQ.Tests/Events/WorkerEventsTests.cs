using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Events;

/// <summary>
/// The events a worker sends, as a Celery monitor (<c>app.events.Receiver</c> + <c>State</c>) needs them
/// (celery-protocol.md §6): worker-online, heartbeats every 2 s, worker-offline, and task events with their fields.
/// </summary>
public sealed class WorkerEventsTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private static readonly string[] s_standardFields = ["type", "hostname", "timestamp", "utcoffset", "pid", "clock"];
    private static readonly string[] s_workerFields = ["freq", "active", "processed", "loadavg", "sw_ident", "sw_ver", "sw_sys"];

    [Fact]
    public async Task Heartbeat_WorkerRuns_OnlineThenHeartbeatEveryTwoSecondsThenOffline()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync();
        var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.noop", () => { }));
        await using (worker)
        {
            var online = await events.WaitForAsync("worker-online", worker.Hostname);
            AssertWorkerEvent(online);

            // Deadline on arrival is loose (a busy machine delays delivery); the cadence is checked on the worker's own timestamps.
            var beats = await events.WaitForCountAsync(2, "worker-heartbeat", worker.Hostname, timeout: TimeSpan.FromSeconds(10));

            foreach (var beat in beats)
            {
                AssertWorkerEvent(beat);
                Assert.Equal(2.0, beat.GetProperty("freq").GetDouble());
            }

            var onlineAt = online.GetProperty("timestamp").GetDouble();
            var first = beats[0].GetProperty("timestamp").GetDouble() - onlineAt;
            var second = beats[1].GetProperty("timestamp").GetDouble() - onlineAt;
            Assert.True(second < 6.0, $"Expected two heartbeats within 6 s of worker-online; they came {first:0.00}s and {second:0.00}s after it.");
            Assert.True(second - first is > 1.5 and < 3.5, $"Expected heartbeats about 2 s apart; they were {second - first:0.00}s apart.");
            await worker.StopAsync();
        }

        var offline = await events.WaitForAsync("worker-offline", worker.Hostname);
        AssertWorkerEvent(offline);
    }

    [Fact]
    public async Task TaskEvents_TaskSucceedsAndTaskFails_CarryTheFieldsCeleryMonitorsRead()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync();
        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b
            .AddTask("tests.add", (int x, int y) => x + y)
            .AddTask("tests.boom", (string message) => { throw new InvalidOperationException(message); }));

        var added = await client.Client.SendAsync("tests.add", [2], new Dictionary<string, object?> { ["y"] = 3 }, null, CancellationToken.None);
        var failed = await client.Client.SendAsync("tests.boom", "kaput");
        await added.GetAsync(TestTimeouts.Long);
        await Assert.ThrowsAsync<TaskFailedException>(() => failed.GetAsync(TestTimeouts.Long));

        var received = await events.WaitForAsync("task-received", worker.Hostname, added.Id);
        AssertStandardFields(received);
        Assert.Equal("tests.add", received.GetProperty("name").GetString());
        Assert.Equal("(2,)", received.GetProperty("args").GetString());
        Assert.Equal("{'y': 3}", received.GetProperty("kwargs").GetString());
        Assert.Equal(added.Id, received.GetProperty("root_id").GetString());
        Assert.Equal(JsonValueKind.Null, received.GetProperty("parent_id").ValueKind);
        Assert.Equal(0, received.GetProperty("retries").GetInt32());
        Assert.Equal(JsonValueKind.Null, received.GetProperty("eta").ValueKind);
        Assert.Equal(JsonValueKind.Null, received.GetProperty("expires").ValueKind);

        var started = await events.WaitForAsync("task-started", worker.Hostname, added.Id);
        AssertStandardFields(started);

        var succeeded = await events.WaitForAsync("task-succeeded", worker.Hostname, added.Id);
        AssertStandardFields(succeeded);
        Assert.Equal("5", succeeded.GetProperty("result").GetString());
        Assert.True(succeeded.GetProperty("runtime").GetDouble() >= 0, $"Expected a runtime in seconds: {succeeded}");

        var failure = await events.WaitForAsync("task-failed", worker.Hostname, failed.Id);
        AssertStandardFields(failure);
        Assert.Equal("InvalidOperationException('kaput')", failure.GetProperty("exception").GetString());
        Assert.Contains("InvalidOperationException", failure.GetProperty("traceback").GetString(), StringComparison.Ordinal);

        // A Lamport clock: every event from the worker carries a larger value than the one before.
        var clocks = new[] { received, started, succeeded }.Select(e => e.GetProperty("clock").GetInt64()).ToArray();
        Assert.True(clocks[0] < clocks[1] && clocks[1] < clocks[2], $"Expected increasing clocks, got [{string.Join(", ", clocks)}].");
    }

    [Fact]
    public async Task WithoutTaskEvents_EnableThenDisableEventsCommands_SwitchTaskEventsButNeverWorkerEvents()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync();
        var node = Nodes.New("quiet");
        await using var worker = await CommandLineWorker.StartAsync(fixture.VirtualHost, output, node, extraArguments: ["--without-task-events"]);
        await events.WaitForAsync("worker-online", node);

        var silent = await RunNoopAsync(client);
        await AssertNoTaskEventsAsync(events, node, silent);

        var enabled = await client.AskAsync(node, "enable_events");
        Assert.Equal("task events enabled", enabled.GetProperty("ok").GetString());
        var heard = await RunNoopAsync(client);
        await events.WaitForAsync("task-received", node, heard.Id);
        await events.WaitForAsync("task-started", node, heard.Id);
        await events.WaitForAsync("task-succeeded", node, heard.Id);

        var disabled = await client.AskAsync(node, "disable_events");
        Assert.Equal("task events disabled", disabled.GetProperty("ok").GetString());
        var silentAgain = await RunNoopAsync(client);
        await AssertNoTaskEventsAsync(events, node, silentAgain);
    }

    private static async Task<(string Id, double CompletedAt)> RunNoopAsync(TestClient client)
    {
        var result = await client.Client.SendAsync("tasks.noop");
        await result.GetAsync(TestTimeouts.Long);
        return (result.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
    }

    private static async Task AssertNoTaskEventsAsync(EventLog events, string node, (string Id, double CompletedAt) task)
    {
        // Events from one worker arrive in the order it sent them, and a task's events go out right after its result.
        // A heartbeat stamped a second after the caller had the result therefore comes after any event about the task.
        await Eventually.WaitAsync(
            () => events.Find("worker-heartbeat", node).Any(e => e.GetProperty("timestamp").GetDouble() > task.CompletedAt + 1.0),
            TestTimeouts.Short, $"a heartbeat from {node} sent after task {task.Id} finished");
        var taskEvents = new[] { "task-received", "task-started", "task-succeeded" }.SelectMany(t => events.Find(t, node, task.Id)).ToArray();
        Assert.True(taskEvents.Length == 0, $"Expected no task events for {task.Id} while they are off; got: {string.Join("; ", taskEvents)}");
    }

    private static void AssertWorkerEvent(JsonElement e)
    {
        AssertStandardFields(e);
        foreach (var field in s_workerFields)
        {
            Assert.True(e.TryGetProperty(field, out _), $"Expected '{field}' in {e}");
        }

        Assert.Equal(3, e.GetProperty("loadavg").GetArrayLength());
        Assert.Equal("celeriac", e.GetProperty("sw_ident").GetString());
    }

    private static void AssertStandardFields(JsonElement e)
    {
        foreach (var field in s_standardFields)
        {
            Assert.True(e.TryGetProperty(field, out _), $"Expected the standard field '{field}' in {e}");
        }

        Assert.Equal(JsonValueKind.Number, e.GetProperty("timestamp").ValueKind);
        Assert.Equal(JsonValueKind.Number, e.GetProperty("clock").ValueKind);
        Assert.Equal(JsonValueKind.Number, e.GetProperty("utcoffset").ValueKind);
        Assert.Equal(JsonValueKind.Number, e.GetProperty("pid").ValueKind);
    }
}
