using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary>The <c>inspect()</c> replies, shaped as Celery 5.2's worker shapes them.</summary>
public sealed class InspectCommandTests(ITestOutputHelper output)
{
    private static readonly string[] s_requestKeys =
        ["id", "name", "args", "kwargs", "type", "hostname", "time_start", "acknowledged", "delivery_info", "worker_pid"];

    [Theory]
    [InlineData(false, "[2,3]", """{"z":1}""")]
    [InlineData(true, "\"(2, 3)\"", "\"{'z': 1}\"")]
    public async Task Active_RunningTask_IsDescribedWithReprsWhenSafe(bool safe, string args, string kwargs)
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (int x, int y, int z) => gate.IgnoreTokenAsync()));
        var task = NewTask("tasks.gate", "[2, 3]", """{"z": 1}""");
        var process = worker.Processor.ProcessAsync(worker.Deliver(task.Encode(), redelivered: true), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(ControlCommand("active", new { safe }), default);

        var active = Assert.Single(ControlReplies.Of(worker).EnumerateArray());
        Assert.Equal(s_requestKeys, JsonShape.Keys(active));
        Assert.Equal(task.Id, active.GetProperty("id").GetString());
        Assert.Equal("tasks.gate", active.GetProperty("name").GetString());
        Assert.Equal("tasks.gate", active.GetProperty("type").GetString());
        AssertJson.Equal(args, active.GetProperty("args"));
        AssertJson.Equal(kwargs, active.GetProperty("kwargs"));
        Assert.Equal(TestWorker.Hostname, active.GetProperty("hostname").GetString());
        Assert.Equal(CeleryTime.ToUnixSeconds(worker.Time.GetUtcNow()), active.GetProperty("time_start").GetDouble());
        Assert.False(active.GetProperty("acknowledged").GetBoolean());
        AssertJson.Equal("""{"exchange": "", "routing_key": "celery", "priority": 0, "redelivered": true}""", active.GetProperty("delivery_info"));
        Assert.Equal(Environment.ProcessId, active.GetProperty("worker_pid").GetInt32());
        gate.Release();
        await Wait.ForAsync(process, "the task to finish");
    }

    [Fact]
    public async Task ReservedAndScheduled_WaitingTasks_AreListedApart()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync), o => o.Concurrency = 1);
        var running = worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.gate").Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the first task to start");
        var waiting = NewTask("tasks.gate");
        var eta = worker.Time.GetUtcNow().AddMinutes(5);
        var later = NewTask("tasks.gate") with { Eta = eta, Priority = 3 };
        var others = new[] { waiting, later }.Select(t => worker.Processor.ProcessAsync(worker.Deliver(t.Encode()), default).AsTask()).ToArray();
        await Wait.UntilAsync(() => worker.State.Reserved.Count == 2, "two tasks to be reserved");

        await worker.Control.HandleAsync(ControlCommand("reserved"), default);
        var reserved = Assert.Single(ControlReplies.Of(worker).EnumerateArray());
        await worker.Control.HandleAsync(ControlCommand("scheduled"), default);
        var scheduled = Assert.Single(ControlReplies.Of(worker).EnumerateArray());

        Assert.Equal(waiting.Id, reserved.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, reserved.GetProperty("time_start").ValueKind);
        Assert.Equal(["eta", "priority", "request"], JsonShape.Keys(scheduled));
        Assert.Equal(CeleryTime.Format(eta), scheduled.GetProperty("eta").GetString());
        Assert.Equal(6, scheduled.GetProperty("priority").GetInt32());
        Assert.Equal(3, scheduled.GetProperty("request").GetProperty("delivery_info").GetProperty("priority").GetInt32());
        Assert.Equal(later.Id, scheduled.GetProperty("request").GetProperty("id").GetString());
        Assert.Equal(s_requestKeys, JsonShape.Keys(scheduled.GetProperty("request")));

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = new[] { waiting.Id, later.Id } }, ticket: null), default);
        gate.Release();
        await Wait.ForAsync(Task.WhenAll([running, .. others]), "every task to settle");
    }

    [Fact]
    public async Task QueryTask_KnownAndUnknownIds_DescribesTheKnownWithTheirState()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var task = NewTask("tasks.gate");
        var process = worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(ControlCommand("query_task", new { ids = new[] { task.Id, "unknown" } }), default);

        var reply = ControlReplies.Of(worker);
        Assert.Equal([task.Id], JsonShape.Keys(reply));
        Assert.Equal("active", reply.GetProperty(task.Id)[0].GetString());
        Assert.Equal(task.Id, reply.GetProperty(task.Id)[1].GetProperty("id").GetString());
        gate.Release();
        await Wait.ForAsync(process, "the task to finish");
    }

    [Fact]
    public async Task Registered_ListsTaskNamesSorted()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.b", () => 1).AddTask("tasks.a", () => 2));

        await worker.Control.HandleAsync(ControlCommand("registered", new { taskinfoitems = Array.Empty<string>() }), default);

        AssertJson.Equal("""["tasks.a", "tasks.b"]""", ControlReplies.Of(worker));
    }

    [Fact]
    public async Task Stats_AfterWork_HasCelerysKeysAndCounts()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.Concurrency = 3);
        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.one").Encode()));
        worker.Time.Advance(TimeSpan.FromSeconds(90));

        await worker.Control.HandleAsync(ControlCommand("stats"), default);

        var stats = ControlReplies.Of(worker);
        Assert.Equal(["total", "pid", "clock", "uptime", "pool", "prefetch_count", "rusage", "sw_ident", "sw_ver"], JsonShape.Keys(stats));
        AssertJson.Equal("""{"tasks.one": 1}""", stats.GetProperty("total"));
        Assert.Equal(Environment.ProcessId, stats.GetProperty("pid").GetInt32());
        Assert.Equal(JsonValueKind.String, stats.GetProperty("clock").ValueKind);
        Assert.Equal(90, stats.GetProperty("uptime").GetInt32());
        Assert.Equal(3, stats.GetProperty("pool").GetProperty("max-concurrency").GetInt32());
        Assert.Equal(12, stats.GetProperty("prefetch_count").GetInt32());
        Assert.Equal("{maxrss:number,utime:number,stime:number}", JsonShape.Of(stats.GetProperty("rusage")));
    }

    [Fact]
    public async Task Revoked_AfterRevokes_ListsTheIds()
    {
        await using var worker = TestWorker.Create(output);
        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = new[] { "a", "b" } }, ticket: null), default);

        await worker.Control.HandleAsync(ControlCommand("revoked"), default);

        Assert.Equal(["a", "b"], ControlReplies.Of(worker).EnumerateArray().Select(e => e.GetString()).Order());
    }
}
