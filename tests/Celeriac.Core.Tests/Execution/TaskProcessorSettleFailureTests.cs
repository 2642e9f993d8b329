using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// An outcome that cannot be recorded is never acknowledged: the processor leaves the message unsettled and the
/// lifecycle gives it back to the queue after a back-off, so a failing store never turns into a redelivery storm.
/// </summary>
public sealed class TaskProcessorSettleFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_ResultPublishRefused_ThrowsAndNeitherAcksNorRejects()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        worker.Publisher.FailWhen = m => m.Exchange == "" ? new IOException("broker refused the result") : null;
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        await Assert.ThrowsAsync<IOException>(() => Wait.ForAsync(worker.Processor.ProcessAsync(delivery, default).AsTask(), "the task to be processed"));

        Assert.Empty(delivery.Recorded().Calls);
        Assert.Equal(1, worker.State.Processed); // it started, as Celery counts
        Assert.Empty(worker.State.Active);
    }

    [Fact]
    public async Task Lifecycle_ObserverThrowsOnTheOutcome_HoldsTheMessageForTheBackOffThenRequeuesIt()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1),
            services: s => s.AddSingleton<ITaskObserver, ThrowingObserver>());
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        var processing = worker.Lifecycle.ProcessAsync(delivery);
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the back-off timer to be set");

        Assert.Empty(delivery.Recorded().Calls);
        Assert.True(worker.Log.IndexOf(e => e.StartsWith("publish result SUCCESS", StringComparison.Ordinal)) >= 0,
            "observers before the failing one were told");
        worker.Time.Advance(TimeSpan.FromSeconds(1));
        await Wait.ForAsync(processing, "the message to be given back");
        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task Lifecycle_ShutdownWhileAMessageIsHeldForTheBackOff_RequeuesItAtOnce()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        worker.Publisher.FailWhen = m => m.Exchange == "" ? new IOException("store unavailable") : null;
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());
        var processing = worker.Lifecycle.ProcessAsync(delivery);
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the back-off timer to be set");

        // The clock does not move: the warm shutdown must not wait out the back-off (nor its own grace period).
        await Wait.ForAsync(worker.Lifecycle.ShutdownAsync(), "the warm shutdown to end without the clock moving");

        Assert.True(processing.IsCompleted, "the held delivery should be settled when the shutdown returns");
        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task Lifecycle_FailuresGoOn_BackOffDoublesIsLoggedOnceAndEndsWithASuccess()
    {
        var failing = true;
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        worker.Publisher.FailWhen = m => failing && m.Exchange == "" ? new IOException("store unavailable") : null;

        foreach (var expected in new[] { 1, 2, 4 })
        {
            var delivery = worker.Deliver(NewTask("tasks.one").Encode());
            var processing = worker.Lifecycle.ProcessAsync(delivery);
            await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the back-off timer to be set");
            worker.Time.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.False(processing.IsCompleted, $"held for less than the {expected} s back-off");
            worker.Time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.ForAsync(processing, $"the message to be given back after {expected} s");
        }

        failing = false;
        await Wait.ForAsync(worker.Lifecycle.ProcessAsync(worker.Deliver(NewTask("tasks.one").Encode())), "a delivery to go through");

        Assert.Single(worker.Logged.Entries, e => e.EventId == 2105);
        Assert.Single(worker.Logged.Entries, e => e.EventId == 2109 && e.Message.Contains("after 3 failed", StringComparison.Ordinal));
    }

    private sealed class ThrowingObserver : ITaskObserver
    {
        public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("task store unavailable");
    }
}
