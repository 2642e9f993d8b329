using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Records.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// A store that answers each write before the next (not in call order, like a Durable Entity) holds the STARTED report
/// until RECEIVED's write is answered, and the outcome until then too; the start and the end are still recorded and
/// announced at the moments the task started and ended.
/// </summary>
public sealed class TaskProcessorTimestampTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_ReceivedWriteAnsweredLate_StartAndOutcomeCarryTheTimesTheTaskStartedAndEnded()
    {
        var store = new HeldWritesStore<TaskReceived>(new InMemoryTaskStore());
        await using var worker = TestWorker.Create(output, b => b.UseTaskStore(_ => store).AddTask("tasks.mark", () => 1));
        var task = NewTask("tasks.mark");
        // The fake clock stands still while the task runs: it starts and ends at this moment, and only then does time pass.
        var startedAt = worker.Time.GetUtcNow();

        var delivery = worker.Deliver(task.Encode());
        var processing = worker.ProcessAsync(delivery);
        await Wait.ForAsync(delivery.Recorded().RunEndedSignal, "the task to run to its end while its RECEIVED write is held");
        worker.Time.Advance(TimeSpan.FromSeconds(5));
        store.Release();
        await processing;

        var record = (await store.GetAsync(task.Id, default))!;
        Assert.Equal(TaskState.Success, record.State);
        Assert.Equal(startedAt, record.Timeline.Started);
        Assert.Equal(startedAt, record.Timeline.Finished);
        foreach (var type in new[] { "task-started", "task-succeeded" })
        {
            Assert.Equal(CeleryTime.ToUnixSeconds(startedAt), Assert.Single(worker.Publisher.Events(type)).GetProperty("timestamp").GetDouble());
        }
    }
}
