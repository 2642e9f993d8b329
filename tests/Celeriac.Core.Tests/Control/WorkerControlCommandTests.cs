using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary>The commands that change the worker: revoke, events on/off, mingle, clock, shutdown.</summary>
public sealed class WorkerControlCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(new[] { "a" }, "tasks a flagged as revoked")]
    [InlineData(new[] { "a", "b" }, "tasks a, b flagged as revoked")]
    public async Task Revoke_Ids_AreRememberedAndListedInTheReply(string[] ids, string expected)
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = ids }), default);

        Assert.Equal(expected, ControlReplies.Of(worker).GetProperty("ok").GetString());
        foreach (var id in ids)
        {
            Assert.True(await worker.Revoked.IsRevokedAsync(id, default));
        }
    }

    [Fact]
    public async Task Revoke_TerminateUnknownTask_SaysSoAndStillRemembersTheRevoke()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = "a", terminate = true }), default);

        Assert.Equal("terminate: tasks unknown", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.True(await worker.Revoked.IsRevokedAsync("a", default));
    }

    [Fact]
    public async Task Revoke_TerminateRunningTask_NamesIt()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (CancellationToken token) => gate.ObserveTokenAsync(token)));
        var task = NewTask("tasks.gate");
        var process = worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = task.Id, terminate = true, signal = "SIGKILL" }), default);

        Assert.Equal($"terminate: {task.Id}", ControlReplies.Of(worker).GetProperty("ok").GetString());
        await Wait.ForAsync(process, "the terminated task to finish");
        Assert.Equal(9, Assert.Single(worker.Publisher.Events("task-revoked")).GetProperty("signum").GetInt32());
    }

    [Fact]
    public async Task DisableAndEnableEvents_SwitchTaskEventsAtRuntime()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));

        await worker.Control.HandleAsync(ControlCommand("disable_events"), default);
        Assert.Equal("task events disabled", ControlReplies.Of(worker).GetProperty("ok").GetString());
        await worker.Control.HandleAsync(ControlCommand("disable_events"), default);
        Assert.Equal("task events already disabled", ControlReplies.Of(worker).GetProperty("ok").GetString());
        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.one").Encode()));
        Assert.Empty(worker.Publisher.Events());

        await worker.Control.HandleAsync(ControlCommand("enable_events"), default);
        Assert.Equal("task events enabled", ControlReplies.Of(worker).GetProperty("ok").GetString());
        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.one").Encode()));
        Assert.Equal(["task-received", "task-started", "task-succeeded"], worker.Publisher.Events().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Hello_FromAnotherNode_MergesTheirRevokesAndRepliesWithOursAndTheClock()
    {
        await using var worker = TestWorker.Create(output);
        await worker.Revoked.AddAsync(["ours"], default);

        await worker.Control.HandleAsync(ControlCommand("hello", new { from_node = "w2@vm", revoked = new Dictionary<string, object> { ["theirs"] = new object[] { 1.5, "theirs" } } }), default);

        var reply = ControlReplies.Of(worker);
        Assert.Equal(["revoked", "clock"], JsonShape.Keys(reply));
        Assert.Equal(["ours", "theirs"], JsonShape.Keys(reply.GetProperty("revoked")).Order());
        Assert.Equal("[number,string]", JsonShape.Of(reply.GetProperty("revoked").GetProperty("ours")));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, reply.GetProperty("clock").ValueKind);
        Assert.True(await worker.Revoked.IsRevokedAsync("theirs", default));
    }

    [Fact]
    public async Task Hello_FromThisNode_IsNotAnswered()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(GoldenMessage.Load("d_pidbox_mingle_hello.json").ToTransportMessage(), default);

        Assert.Empty(worker.Publisher.Messages);
    }

    [Fact]
    public async Task Clock_RepliesWithTheAdvancedClock()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("clock", clock: 10), default);

        Assert.Equal(12, ControlReplies.Of(worker).GetProperty("clock").GetInt64());
    }

    [Fact]
    public async Task Shutdown_WithoutAHost_RepliesWithAnError()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("shutdown"), default);

        Assert.Equal("shutdown is not supported by this host", ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Shutdown_WithAHost_StopsTheApplication()
    {
        var lifetime = new FakeLifetime();
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<IHostApplicationLifetime>(lifetime));

        await worker.Control.HandleAsync(ControlCommand("shutdown"), default);

        Assert.Equal("Warm shutdown initiated", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.Equal(1, lifetime.StopRequests);
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        public int StopRequests { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => StopRequests++;
    }
}
