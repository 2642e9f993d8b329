using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// A message whose task kills the worker process comes back redelivered forever unless someone counts: after
/// WorkerOptions.MaxDeliveries runs without finishing it is parked with a FAILURE (WorkerLostError).
/// </summary>
public sealed class TaskProcessorPoisonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_RedeliveredPastMaxDeliveriesWithoutFinishing_ParkedAsWorkerLost()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync), o => o.MaxDeliveries = 3);
        var message = NewTask("tasks.gate").Encode();

        // The first delivery and two redeliveries start and never finish (as if the process died running each).
        var running = new List<Task> { worker.Processor.ProcessAsync(worker.Deliver(message), default).AsTask() };
        for (var i = 0; i < 2; i++)
        {
            running.Add(worker.Processor.ProcessAsync(worker.Deliver(message, redelivered: true), default).AsTask());
        }

        await Wait.UntilAsync(() => gate.Runs == 3, "three runs of the task to start");
        var fourth = worker.Deliver(message, redelivered: true);
        await worker.ProcessAsync(fourth);

        Assert.Equal(3, gate.Runs);
        var parked = Assert.Single(worker.ParkingLot.Parked);
        Assert.Same(fourth, parked.Delivery);
        Assert.Contains("Delivered 4 times without finishing", parked.Reason, StringComparison.Ordinal);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Failure, "WorkerLostError"), (result.State, result.Error!.Type));
        Assert.Equal(["ack"], fourth.Recorded().Calls);
        gate.Release();
        await Wait.ForAsync(Task.WhenAll(running), "the blocked runs to end");
    }

    [Fact]
    public async Task ProcessAsync_RedeliveredBehindAPoisonButNeverStarted_NotCounted()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.MaxDeliveries = 2);
        var message = NewTask("tasks.one").Encode();

        // Received again and again (redelivered after crashes) but never started: nothing counts.
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await worker.Processor.ReceiveAsync(worker.Deliver(message, redelivered: true), default));
        }

        await worker.ProcessAsync(worker.Deliver(message, redelivered: true));

        Assert.Empty(worker.ParkingLot.Parked);
        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_RedeliveredTaskFinishes_CountStartsOver()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.MaxDeliveries = 2);
        var message = NewTask("tasks.one").Encode();

        // Redelivered (after a crash, say), then run to the end: the count is forgotten, so later redeliveries run again.
        for (var i = 0; i < 4; i++)
        {
            await worker.ProcessAsync(worker.Deliver(message, redelivered: true));
        }

        Assert.Empty(worker.ParkingLot.Parked);
        Assert.Equal(4, worker.Publisher.Results(TestWorker.ReplyTo).Count(r => r.State == TaskState.Success));
    }

    [Fact]
    public async Task ProcessAsync_MaxDeliveriesZero_NeverParks()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync), o => o.MaxDeliveries = 0);
        var message = NewTask("tasks.gate").Encode();

        var running = Enumerable.Range(0, 4).Select(_ => worker.Processor.ProcessAsync(worker.Deliver(message, redelivered: true), default).AsTask()).ToArray();
        await Wait.UntilAsync(() => gate.Runs == 4, "every redelivery to start");

        Assert.Empty(worker.ParkingLot.Parked);
        gate.Release();
        await Wait.ForAsync(Task.WhenAll(running), "the runs to end");
    }
}
