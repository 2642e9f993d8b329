using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>A shutdown is not the task's outcome: the message goes back to the queue and no result is published.</summary>
public sealed class TaskProcessorShutdownTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ProcessAsync_AbortedByShutdownWhileRunning_RequeuesWithoutAResult(bool taskObservesToken)
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate",
            (CancellationToken token) => taskObservesToken ? gate.ObserveTokenAsync(token) : gate.IgnoreTokenAsync()));
        using var abort = new CancellationTokenSource();
        var delivery = worker.Deliver(NewTask("tasks.gate").Encode());
        var process = worker.Processor.ProcessAsync(delivery, abort.Token).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await abort.CancelAsync();

        await Wait.ForAsync(process, "the aborted task to be given back");
        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
        Assert.Empty(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Empty(worker.Publisher.Events("task-failed"));
        Assert.Empty(worker.Publisher.Events("task-revoked"));
        Assert.Equal(1, worker.State.Processed); // it started, as Celery counts
        gate.Release();
    }

    [Fact]
    public async Task ProcessAsync_AbortedWhileWaitingForItsEta_RequeuesWithoutRunning()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        using var abort = new CancellationTokenSource();
        var delivery = worker.Deliver((NewTask("tasks.gate") with { Eta = worker.Time.GetUtcNow().AddMinutes(5) }).Encode());
        var process = worker.Processor.ProcessAsync(delivery, abort.Token).AsTask();
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the ETA timer to be set");

        await abort.CancelAsync();

        await Wait.ForAsync(process, "the waiting task to be given back");
        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
        Assert.Equal(0, gate.Runs);
        Assert.Empty(worker.Publisher.Results(TestWorker.ReplyTo));
    }
}
