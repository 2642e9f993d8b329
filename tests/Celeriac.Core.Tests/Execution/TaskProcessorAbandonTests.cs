using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>A stopped task whose code ignores its token holds its slot for a short grace only, then the worker abandons it.</summary>
public sealed class TaskProcessorAbandonTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null)] // WorkerOptions.AbandonGrace's default, 10 s
    [InlineData(2.0)]
    public async Task ProcessAsync_TerminatedTaskIgnoresItsTokenPastTheGrace_SlotFreedAndTheNextTaskRuns(double? configuredSeconds)
    {
        var grace = TimeSpan.FromSeconds(configuredSeconds ?? 10);
        var stuck = new TaskGate();
        var next = new TaskGate();
        var calls = 0;
        await using var worker = TestWorker.Create(output,
            b => b.AddTask("tasks.gate", () => Interlocked.Increment(ref calls) == 1 ? stuck.IgnoreTokenAsync() : next.IgnoreTokenAsync()),
            o =>
            {
                o.Concurrency = 1;
                if (configuredSeconds is { } seconds)
                {
                    o.AbandonGrace = TimeSpan.FromSeconds(seconds);
                }
            });
        var task = NewTask("tasks.gate");
        var delivery = worker.Deliver(task.Encode());
        var first = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.ForAsync(stuck.Started, "the stuck task to start");
        var second = worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.gate").Encode()), default).AsTask();
        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = task.Id, terminate = true, signal = "SIGTERM" }, ticket: null), default);
        Assert.Equal("ack", await Wait.ForAsync(delivery.Recorded().Settled, "the terminated task to be settled"));

        // The grace's timer starts just after the settle, on another thread, and the clock stands still until it exists
        // (moved first, it would start late and never come due within the test's steps).
        var settledAt = worker.Time.GetUtcNow();
        await Wait.UntilAsync(() => worker.Time.HasTimerDueAt(settledAt + grace), $"the {grace.TotalSeconds} s grace's timer to start");
        worker.Time.Advance(grace - TimeSpan.FromSeconds(0.1));
        await Task.Yield();
        Assert.False(first.IsCompleted, $"within the {grace.TotalSeconds} s grace the worker still waits for the stuck task");
        Assert.False(next.Started.IsCompleted, $"within the {grace.TotalSeconds} s grace the slot is still the stuck task's");

        worker.Time.Advance(TimeSpan.FromSeconds(0.1));
        await Wait.ForAsync(first, $"the worker to abandon the stuck task after {grace.TotalSeconds} s");
        await Wait.ForAsync(next.Started, "the next task to take the freed slot");
        Assert.Equal(1, stuck.Runs);
        Assert.DoesNotContain(worker.State.Active, r => r.Message.Id == task.Id);
        next.Release();
        await Wait.ForAsync(second, "the next task to finish");
        Assert.Equal([TaskState.Revoked, TaskState.Success], worker.Publisher.Results(TestWorker.ReplyTo).Select(r => r.State));
        stuck.Release();
    }
}
