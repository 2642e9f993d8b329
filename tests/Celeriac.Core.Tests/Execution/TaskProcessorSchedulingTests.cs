using Celeriac.Core.Tasks;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>When a received task starts: not before its ETA, and not beyond the concurrency.</summary>
public sealed class TaskProcessorSchedulingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_EtaInTheFuture_StartsOnlyOnceTheClockPassesIt()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var task = NewTask("tasks.gate") with { Eta = worker.Time.GetUtcNow().AddSeconds(10) };
        var delivery = worker.Deliver(task.Encode());
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the ETA timer to be set");
        Assert.Single(worker.Publisher.Events("task-received"));

        worker.Time.Advance(TimeSpan.FromSeconds(9.999));

        Assert.False(gate.Started.IsCompleted);
        Assert.Equal(task.Id, Assert.Single(worker.State.Reserved).Message.Id);
        Assert.Equal(1, worker.Time.PendingTimers);

        worker.Time.Advance(TimeSpan.FromMilliseconds(1));

        await Wait.ForAsync(gate.Started, "the task to start at its ETA");
        gate.Release();
        await Wait.ForAsync(process, "the task to finish");
        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_EtaBeyondTheHoldLimit_IsDeferredAndAcknowledgedWithoutBeingReported()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.EtaHoldLimit = TimeSpan.FromMinutes(10));
        var eta = worker.Time.GetUtcNow().AddMinutes(40);
        var delivery = worker.Deliver((NewTask("tasks.one") with { Eta = eta }).Encode());

        await Wait.ForAsync(worker.Processor.ProcessAsync(delivery, default).AsTask(), "the task to be deferred");

        var (deferred, until) = Assert.Single(worker.Deferral.Deferred);
        Assert.Same(delivery, deferred);
        Assert.Equal(eta, until);
        Assert.Equal(["defer", "ack"], worker.Log.Entries);
        Assert.Empty(worker.Publisher.Events("task-received"));
        Assert.Empty(worker.State.Reserved);
    }

    [Fact]
    public async Task ProcessAsync_EtaBeyondTheHoldLimitButRevoked_IsDiscardedNotDeferred()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.EtaHoldLimit = TimeSpan.Zero);
        var task = NewTask("tasks.one") with { Eta = worker.Time.GetUtcNow().AddMinutes(1) };
        await worker.Revoked.AddAsync([task.Id], default);

        await Wait.ForAsync(worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask(), "the task to be discarded");

        Assert.Empty(worker.Deferral.Deferred);
        Assert.Equal(TaskState.Revoked, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_EtaInThePast_StartsRightAway()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var task = NewTask("tasks.one") with { Eta = worker.Time.GetUtcNow().AddHours(-1) };

        await Wait.ForAsync(worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask(), "the task to run");

        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_MoreTasksThanConcurrency_RunsAtMostConcurrencyAtOnce()
    {
        var gates = new[] { new TaskGate(), new TaskGate(), new TaskGate() };
        var next = -1;
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", () => gates[Interlocked.Increment(ref next)].IgnoreTokenAsync()),
            o => o.Concurrency = 2);

        var processes = Enumerable.Range(0, 3).Select(_ => worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.gate").Encode()), default).AsTask()).ToArray();
        await Wait.ForAsync(Task.WhenAll(gates[0].Started, gates[1].Started), "two tasks to start");
        await Wait.UntilAsync(() => worker.State.Reserved.Count == 1, "the third task to wait for a slot");
        Assert.False(gates[2].Started.IsCompleted);
        Assert.Equal(2, worker.State.ActiveCount);

        gates[0].Release();

        await Wait.ForAsync(gates[2].Started, "the third task to start when a slot frees up");
        gates[1].Release();
        gates[2].Release();
        await Wait.ForAsync(Task.WhenAll(processes), "every task to finish");
        Assert.Equal(3, worker.State.Processed);
        Assert.Equal(3, worker.State.Totals["tasks.gate"]);
    }

    [Fact]
    public async Task ProcessAsync_ConcurrencyOne_RunsTasksInTheOrderTheyWereDelivered()
    {
        var gate = new TaskGate();
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        await using var worker = TestWorker.Create(output, b => b
                .AddTask("tasks.gate", gate.IgnoreTokenAsync)
                .AddTask("tasks.record", (int n) => order.Enqueue(n)),
            o => o.Concurrency = 1);

        // Started in delivery order without awaiting, as the consumer does; the first holds the only slot.
        var blocker = worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.gate").Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the first task to hold the slot");
        var queued = Enumerable.Range(1, 20)
            .Select(n => worker.Processor.ProcessAsync(worker.Deliver((NewTask("tasks.record") with { Args = Celeriac.Core.Protocol.CeleryJson.ToElement(new[] { n }) }).Encode()), default).AsTask())
            .ToArray();
        gate.Release();

        await Wait.ForAsync(Task.WhenAll(queued.Append(blocker)), "every task to finish");
        Assert.Equal(Enumerable.Range(1, 20), order);
    }

    [Fact]
    public async Task ProcessAsync_RateLimitedTask_WaitsForItsTokenWithoutHoldingUpOtherTasks()
    {
        var ran = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var worker = TestWorker.Create(output, b => b
                .AddTask("tasks.limited", () => ran.Enqueue("limited"), new TaskOptions { RateLimit = TaskRateLimit.Parse("1/s") })
                .AddTask("tasks.free", () => ran.Enqueue("free")),
            o => o.Concurrency = 1);

        await Wait.ForAsync(worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.limited").Encode()), default).AsTask(), "the first limited task");
        var second = worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.limited").Encode()), default).AsTask();
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the second limited task to wait for its token");
        await Wait.ForAsync(worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.free").Encode()), default).AsTask(),
            "a task of another name to run while the limited one waits, with the only slot free");

        Assert.Equal(["limited", "free"], ran);
        worker.Time.Advance(TimeSpan.FromSeconds(1));
        await Wait.ForAsync(second, "the second limited task to run once its token is there");
        Assert.Equal(["limited", "free", "limited"], ran);
    }
}
