using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>An outcome that cannot be recorded is never acknowledged: the message goes back to the queue.</summary>
public sealed class TaskProcessorSettleFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_ResultPublishRefused_RejectsWithRequeueAndDoesNotAck()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        worker.Publisher.FailWhen = m => m.Exchange == "" ? new IOException("broker refused the result") : null;
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        await Wait.ForAsync(worker.Processor.ProcessAsync(delivery, default).AsTask(), "the task to be processed");

        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
        Assert.Equal(1, worker.State.Processed); // it started, as Celery counts
        Assert.Empty(worker.State.Active);
    }

    [Fact]
    public async Task ProcessAsync_ObserverThrowsOnTheOutcome_RejectsWithRequeueAndDoesNotAck()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1),
            services: s => s.AddSingleton<ITaskObserver, ThrowingObserver>());
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        await Wait.ForAsync(worker.Processor.ProcessAsync(delivery, default).AsTask(), "the task to be processed");

        Assert.Equal(["reject(requeue=True)"], delivery.Recorded().Calls);
        Assert.True(worker.Log.IndexOf(e => e.StartsWith("publish result SUCCESS", StringComparison.Ordinal)) >= 0,
            "observers before the failing one were told");
    }

    private sealed class ThrowingObserver : ITaskObserver
    {
        public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnStartedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("task store unavailable");
    }
}
