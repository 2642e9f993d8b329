using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// A redelivered message whose task already has a final record ran to the end before and lost only its ack (a killed
/// worker, a closed channel, a republish by the Functions listener): it is not run again, its result is sent again and
/// it is acknowledged. A task that has no final record yet runs, as at-least-once requires.
/// </summary>
public sealed class TaskProcessorRedeliveryTests(ITestOutputHelper output)
{
    private int _runs;

    private TestWorker Worker() => TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) =>
    {
        Interlocked.Increment(ref _runs);
        return x + y;
    }).UseInMemoryStore());

    [Fact]
    public async Task ProcessAsync_RedeliveredAfterItFinished_NotRunAgainResultResentAndAcked()
    {
        await using var worker = Worker();
        var message = NewTask("tasks.add", "[2, 3]").Encode();
        await worker.ProcessAsync(worker.Deliver(message));
        var events = worker.Publisher.Events().Count;
        var store = worker.Services.GetRequiredService<ITaskStore>();
        var finished = await store.GetAsync(NewTaskId(message), default);

        var again = worker.Deliver(message, redelivered: true);
        await worker.ProcessAsync(again);

        Assert.Equal(1, _runs);
        Assert.Equal(["ack"], again.Recorded().Calls);
        Assert.Equal(events, worker.Publisher.Events().Count);
        var results = worker.Publisher.Results(TestWorker.ReplyTo);
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal((TaskState.Success, "5"), (r.State, r.Value.GetRawText())));
        Assert.Equal(finished, await store.GetAsync(NewTaskId(message), default));
        Assert.Contains(worker.Logged.Entries, e => e.EventId == 1015 && e.Message.Contains("delivered again after it finished (SUCCESS)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessAsync_RedeliveredWithoutAFinalRecord_Runs()
    {
        await using var worker = Worker();
        var message = NewTask("tasks.add", "[2, 3]").Encode();

        await worker.ProcessAsync(worker.Deliver(message, redelivered: true));

        Assert.Equal(1, _runs);
        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_FirstDeliveryOfAnIdThatFinished_RunsAgain()
    {
        // Only redeliveries are looked up: a first delivery costs no read, and a new message reusing an id is the sender's choice.
        await using var worker = Worker();
        var message = NewTask("tasks.add", "[2, 3]").Encode();
        await worker.ProcessAsync(worker.Deliver(message));

        await worker.ProcessAsync(worker.Deliver(message));

        Assert.Equal(2, _runs);
    }

    private static string NewTaskId(Celeriac.Core.Transport.TransportMessage message) => (string)message.Headers["id"]!;
}
