using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 2, steps 2-4 and the remote control of step 3: plain Python Celery (the user's <c>tasks.py</c>, Debian's
/// python3-celery) drives the real <c>celeriac worker --concurrency 1</c>, whose <c>tasks.add</c> sleeps 1 s.
/// </summary>
public sealed class PythonClientToCeleriacWorkerTests : IClassFixture<PythonClientToCeleriacWorkerFixture>, IAsyncLifetime
{
    private readonly PythonClientToCeleriacWorkerFixture _fixture;
    private readonly List<string> _longTasks = [];

    public PythonClientToCeleriacWorkerTests(PythonClientToCeleriacWorkerFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    private PythonClient Python => _fixture.Python;

    private WorkerNode Worker => _fixture.Worker;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops the long tasks a test started, even when it failed half way, so the next test finds the worker idle.</summary>
    public async Task DisposeAsync()
    {
        try
        {
            foreach (var id in _longTasks)
            {
                await Python.RevokeAsync(id, terminate: true);
            }
        }
        finally
        {
            _fixture.Log.Detach();
        }
    }

    /// <summary>Sends <c>tasks.sleep(30)</c>, a task that runs until a test terminates it.</summary>
    private async Task<string> SendLongSleepAsync()
    {
        var id = await Python.SendTaskAsync("tasks.sleep", [30]);
        _longTasks.Add(id);
        return id;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Delay_Add_NotReadyWhileRunningThenReturnsSumAndLogsLikeCelery()
    {
        var id = await Python.DelayAsync(2, 3);

        await Worker.WaitForLogAsync($"Task tasks.add[{id}] received");
        await _fixture.Events.WaitForAsync("task-started", id);
        Assert.False(await Python.ReadyAsync(id), "r.ready() should be False while tasks.add runs (it sleeps 1 s)");

        var outcome = await Python.GetAsync(id, TestTimeouts.Short);
        Assert.Null(outcome.Error);
        Assert.Equal(JsonValueKind.Number, outcome.Result!.Value.ValueKind);
        Assert.Equal(5, outcome.Result.Value.GetInt32());
        Assert.True(await Python.ReadyAsync(id), "r.ready() should be True once r.get() returned");
        Assert.Equal("SUCCESS", await Python.StateAsync(id));

        var pattern = new Regex($@"Task tasks\.add\[{id}\] succeeded in (?<seconds>\d+\.\d\d)s: 5$");
        var succeeded = await Worker.WaitForLogAsync(pattern);
        var seconds = double.Parse(pattern.Match(succeeded).Groups["seconds"].Value, CultureInfo.InvariantCulture);
        Assert.True(seconds is >= 1.0 and < 1.5, $"expected the logged runtime to be the 1 s sleep (1.0Xs), got: {succeeded}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SendTask_FailingTask_RaisesDotNetExceptionTypeMessageAndStackTrace()
    {
        var id = await Python.SendTaskAsync("tasks.fail", ["boom"]);

        var outcome = await Python.GetAsync(id, TestTimeouts.Short);

        Assert.Null(outcome.Result);
        var error = outcome.Error!;
        Assert.Equal("InvalidOperationException", error.Type);
        Assert.Equal("boom", error.Message);
        Assert.NotNull(error.Traceback);
        Assert.Contains("System.InvalidOperationException: boom", error.Traceback, StringComparison.Ordinal);
        Assert.True(error.Traceback.Contains("\n   at ", StringComparison.Ordinal), $"expected a .NET stack frame ('   at ...') in the traceback:\n{error.Traceback}");
        Assert.Equal("FAILURE", await Python.StateAsync(id));
        await Worker.WaitForLogAsync($"Task tasks.fail[{id}] raised unexpected: InvalidOperationException('boom')");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SendTask_EchoWithArgsAndKwargs_BindsAndReturnsThemAsJson()
    {
        var id = await Python.SendTaskAsync("tasks.echo", [1, "two", new[] { 3.5 }], new Dictionary<string, object?> { ["k"] = "v", ["none"] = null });

        var outcome = await Python.GetAsync(id, TestTimeouts.Short);

        Assert.Null(outcome.Error);
        AssertJson.Equal("""{"args": [1, "two", [3.5]], "kwargs": {"k": "v", "none": null}}""", outcome.Result!.Value);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_TaskQueuedBehindRunningOne_IsDiscardedAndRaisesTaskRevokedError()
    {
        // A task that runs until terminated keeps a and b queued for as long as the test needs, however slow the machine.
        var blocker = await SendLongSleepAsync();
        await _fixture.Events.WaitForAsync("task-started", blocker);
        var a = await Python.DelayAsync(1, 2);
        var b = await Python.DelayAsync(3, 4);
        await Worker.WaitForLogAsync($"Task tasks.add[{b}] received");

        await Python.RevokeAsync(b);
        await Python.RevokeAsync(blocker, terminate: true);

        var revoked = await Python.GetAsync(b, TestTimeouts.Short);
        Assert.Null(revoked.Result);
        Assert.Equal(("TaskRevokedError", "revoked"), (revoked.Error!.Type, revoked.Error.Message));
        await Worker.WaitForLogAsync($"Discarding revoked task: tasks.add[{b}]");
        var first = await Python.GetAsync(a, TestTimeouts.Short);
        Assert.Equal(3, first.Result?.GetInt32());
        await Worker.WaitForLogAsync($"Task tasks.add[{a}] succeeded in");
        Assert.DoesNotContain(Worker.Process.Lines, l => l.Contains($"tasks.add[{b}] succeeded", StringComparison.Ordinal));
        Assert.Equal(["task-received", "task-revoked"], _fixture.Events.TypesFor(b));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_TerminateRunningTask_StopsItAndRaisesTaskRevokedErrorTerminated()
    {
        var id = await SendLongSleepAsync();
        await _fixture.Events.WaitForAsync("task-started", id);
        var clock = Stopwatch.StartNew();

        await Python.RevokeAsync(id, terminate: true);

        var outcome = await Python.GetAsync(id, TimeSpan.FromSeconds(10));
        Assert.Null(outcome.Result);
        Assert.Equal(("TaskRevokedError", "terminated"), (outcome.Error!.Type, outcome.Error.Message));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a terminated tasks.sleep(30) should stop at once, took {clock.Elapsed}");
        await Worker.WaitForLogAsync($"Terminating {id} (15)");
        var revokedEvent = await _fixture.Events.WaitForAsync("task-revoked", id);
        Assert.True(revokedEvent.GetProperty("terminated").GetBoolean(), $"task-revoked should say terminated: {revokedEvent}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlRevoke_WithoutAndWithReply_RevokesQueuedTasksAndRepliesLikeCelery()
    {
        var blocker = await SendLongSleepAsync();
        await _fixture.Events.WaitForAsync("task-started", blocker);
        var b = await Python.DelayAsync(2, 2);
        var c = await Python.DelayAsync(3, 3);
        await Worker.WaitForLogAsync($"Task tasks.add[{c}] received");

        var withoutReply = await Python.ControlRevokeAsync(b, reply: false);
        var withReply = await Python.ControlRevokeAsync(c, reply: true);

        Assert.Equal(JsonValueKind.Null, withoutReply.ValueKind);
        AssertJson.Equal($$$"""[{"{{{Worker.Name}}}": {"ok": "tasks {{{c}}} flagged as revoked"}}]""", withReply);
        await Python.RevokeAsync(blocker, terminate: true);
        foreach (var id in new[] { b, c })
        {
            var outcome = await Python.GetAsync(id, TestTimeouts.Short);
            Assert.Equal(("TaskRevokedError", "revoked"), (outcome.Error?.Type, outcome.Error?.Message));
            await Worker.WaitForLogAsync($"Discarding revoked task: tasks.add[{id}]");
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task ControlPingAndInspect_RunningAndQueuedTasks_AnswerLikeCelery()
    {
        var running = await SendLongSleepAsync();
        var queued = await Python.DelayAsync(4, 4);
        await _fixture.Events.WaitForAsync("task-started", running);
        await Worker.WaitForLogAsync($"Task tasks.add[{queued}] received");
        var node = Worker.Name;

        AssertJson.Equal($$$"""[{"{{{node}}}": {"ok": "pong"}}]""", await Python.PingAsync());

        var active = (await Python.InspectAsync("active", node)).GetProperty(node);
        Assert.True(active.EnumerateArray().Any(t => t.GetProperty("id").GetString() == running && t.GetProperty("name").GetString() == "tasks.sleep"),
            $"inspect().active() should list the running tasks.sleep {running}: {active}");
        var reserved = (await Python.InspectAsync("reserved", node)).GetProperty(node);
        Assert.True(reserved.EnumerateArray().Any(t => t.GetProperty("id").GetString() == queued && t.GetProperty("name").GetString() == "tasks.add"),
            $"inspect().reserved() should list the queued tasks.add {queued}: {reserved}");
        Assert.DoesNotContain(active.EnumerateArray(), t => t.GetProperty("id").GetString() == queued);

        var registered = (await Python.InspectAsync("registered", node)).GetProperty(node).EnumerateArray().Select(n => n.GetString()).ToArray();
        Assert.Equal(["tasks.add", "tasks.echo", "tasks.fail", "tasks.flaky", "tasks.noop", "tasks.sleep", "tasks.xsum"], registered.Order(StringComparer.Ordinal));

        var stats = (await Python.InspectAsync("stats", node)).GetProperty(node);
        Assert.Equal(Worker.Process.Id, stats.GetProperty("pid").GetInt32());
        Assert.True(stats.GetProperty("total").TryGetProperty("tasks.add", out var adds) && adds.GetInt32() >= 1,
            $"stats().total should count the tasks.add the other tests ran: {stats}");
        Assert.Equal(1, stats.GetProperty("pool").GetProperty("max-concurrency").GetInt32());

        await Python.RevokeAsync(queued);
        await Python.RevokeAsync(running, terminate: true);
        var revoked = (await Python.InspectAsync("revoked", node)).GetProperty(node).EnumerateArray().Select(n => n.GetString()).ToArray();
        Assert.Contains(running, revoked);
        Assert.Contains(queued, revoked);
        Assert.Equal("terminated", (await Python.GetAsync(running, TestTimeouts.Short)).Error?.Message);
        Assert.Equal("revoked", (await Python.GetAsync(queued, TestTimeouts.Short)).Error?.Message);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SendTask_UnregisteredName_RaisesNotRegisteredAndParksTheMessage()
    {
        var id = await Python.SendTaskAsync("tasks.not_there", [1]);

        var outcome = await Python.GetAsync(id, TestTimeouts.Short);

        Assert.Null(outcome.Result);
        Assert.Equal("NotRegistered", outcome.Error!.Type);
        Assert.Contains("tasks.not_there", outcome.Error.Message, StringComparison.Ordinal);
        await Worker.WaitForLogAsync($"Received unregistered task of type 'tasks.not_there' (id {id})");
        JsonElement? parked = null;
        await Eventually.WaitAsync(async () =>
        {
            parked = (await _fixture.VirtualHost.PeekMessagesAsync("celery_error", 100))
                .Cast<JsonElement?>()
                .FirstOrDefault(m => m!.Value.GetProperty("properties").GetProperty("headers").GetProperty("id").GetString() == id);
            return parked is not null;
        }, TestTimeouts.Short, $"the message of {id} in the celery_error queue");
        var headers = parked!.Value.GetProperty("properties").GetProperty("headers");
        Assert.Equal("tasks.not_there", headers.GetProperty("task").GetString());
        Assert.Contains("not registered", headers.GetProperty("x-celeriac-parked-reason").GetString(), StringComparison.Ordinal);
        var failed = await _fixture.Events.WaitForAsync("task-failed", id);
        Assert.Contains("NotRegistered", failed.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }
}
