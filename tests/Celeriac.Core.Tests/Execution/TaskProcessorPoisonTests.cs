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
    public async Task ReceiveAsync_RedeliveredPastMaxDeliveriesWithoutFinishing_ParkedAsWorkerLost()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.MaxDeliveries = 3);
        var message = NewTask("tasks.one").Encode();

        // The first delivery and two redeliveries are received (each time the process "dies" before settling it).
        Assert.NotNull(await worker.Processor.ReceiveAsync(worker.Deliver(message), default));
        for (var i = 0; i < 2; i++)
        {
            Assert.NotNull(await worker.Processor.ReceiveAsync(worker.Deliver(message, redelivered: true), default));
        }

        var fourth = worker.Deliver(message, redelivered: true);
        Assert.Null(await worker.Processor.ReceiveAsync(fourth, default));

        var parked = Assert.Single(worker.ParkingLot.Parked);
        Assert.Same(fourth, parked.Delivery);
        Assert.Contains("Delivered 4 times without finishing", parked.Reason, StringComparison.Ordinal);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Failure, "WorkerLostError"), (result.State, result.Error!.Type));
        Assert.Equal(["ack"], fourth.Recorded().Calls);
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
    public async Task ReceiveAsync_MaxDeliveriesZero_NeverParks()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.MaxDeliveries = 0);
        var message = NewTask("tasks.one").Encode();

        for (var i = 0; i < 8; i++)
        {
            Assert.NotNull(await worker.Processor.ReceiveAsync(worker.Deliver(message, redelivered: true), default));
        }

        Assert.Empty(worker.ParkingLot.Parked);
    }
}
