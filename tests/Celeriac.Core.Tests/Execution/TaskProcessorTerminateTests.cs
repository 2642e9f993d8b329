using Celeriac.Core.Execution;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>Revoke with terminate stops a running task as REVOKED; a revoke of a task not yet started discards it at once.</summary>
public sealed class TaskProcessorTerminateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_TerminatedByRemoteControl_ReportsRevokedPromptlyEvenIfTheTaskIgnoresItsToken()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var task = NewTask("tasks.gate");
        var delivery = worker.Deliver(task.Encode());
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = task.Id, terminate = true, signal = "SIGTERM" }, ticket: null), default);

        Assert.Equal("ack", await Wait.ForAsync(delivery.Recorded().Settled, "the terminated task to be settled"));
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Revoked, "terminated"), (result.State, result.Error!.Message));
        var revoked = Assert.Single(worker.Publisher.Events("task-revoked"));
        Assert.True(revoked.GetProperty("terminated").GetBoolean());
        Assert.Equal(15, revoked.GetProperty("signum").GetInt32());
        Assert.False(revoked.GetProperty("expired").GetBoolean());
        Assert.False(process.IsCompleted, "within the grace the slot stays taken while the task runs on");

        gate.Release();
        await Wait.ForAsync(process, "the processor to finish once the task returns");
        Assert.Equal(["ack"], delivery.Recorded().Calls);
        Assert.Empty(worker.State.Active);
    }

    [Fact]
    public async Task ProcessAsync_StoppedThroughTheRequestWithSigkill_ReportsTheSignal()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (CancellationToken token) => gate.ObserveTokenAsync(token)));
        var task = NewTask("tasks.gate");
        var process = worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");
        Assert.True(worker.State.TryGet(task.Id, out var request));

        Assert.True(request.Stop(TaskStopReason.Terminated, Signals.SigKill));

        await Wait.ForAsync(process, "the terminated task to finish");
        Assert.Equal("terminated", Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!.Message);
        Assert.Equal(9, Assert.Single(worker.Publisher.Events("task-revoked")).GetProperty("signum").GetInt32());
        Assert.False(request.Stop(TaskStopReason.Shutdown), "the first stop reason wins");
    }

    [Fact]
    public async Task ProcessAsync_RevokedWhileWaitingForASlot_IsDiscardedWithoutWaiting()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync), o => o.Concurrency = 1);
        var running = worker.Deliver(NewTask("tasks.gate").Encode());
        var first = worker.Processor.ProcessAsync(running, default).AsTask();
        await Wait.ForAsync(gate.Started, "the first task to start");
        var queued = NewTask("tasks.gate");
        var waiting = worker.Deliver(queued.Encode());
        var second = worker.Processor.ProcessAsync(waiting, default).AsTask();
        await Wait.UntilAsync(() => worker.State.Reserved.Any(r => r.Message.Id == queued.Id), "the second task to wait for a slot");

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = queued.Id }, ticket: null), default);

        await Wait.ForAsync(second, "the revoked task to be discarded while the first still runs");
        Assert.Equal(1, gate.Runs);
        Assert.Equal(["ack"], waiting.Recorded().Calls);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((queued.Id, TaskState.Revoked, "revoked"), (result.TaskId, result.State, result.Error!.Message));
        Assert.False(Assert.Single(worker.Publisher.Events("task-revoked")).GetProperty("terminated").GetBoolean());
        Assert.False(first.IsCompleted);

        gate.Release();
        await Wait.ForAsync(first, "the first task to finish");
        Assert.Equal(TaskState.Success, worker.Publisher.Results(TestWorker.ReplyTo)[^1].State);
    }
}
