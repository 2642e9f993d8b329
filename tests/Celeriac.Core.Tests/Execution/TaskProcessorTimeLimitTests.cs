using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>The hard time limit fails a task with TimeLimitExceeded; the soft one signals its token and the task may recover.</summary>
public sealed class TaskProcessorTimeLimitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ProcessAsync_HardTimeLimitFromTheMessage_FailsWithTimeLimitExceeded(bool taskObservesToken)
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate",
            (CancellationToken token) => taskObservesToken ? gate.ObserveTokenAsync(token) : gate.IgnoreTokenAsync()));
        var delivery = worker.Deliver((NewTask("tasks.gate") with { TimeLimit = 2 }).Encode());
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        worker.Time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Empty(worker.Publisher.Results(TestWorker.ReplyTo));
        worker.Time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal("ack", await Wait.ForAsync(delivery.Recorded().Settled, "the timed-out task to be settled"));
        var error = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!;
        Assert.Equal(("TimeLimitExceeded", "billiard.exceptions"), (error.Type, error.Module));
        AssertTimeLimit(2, error.Args);
        Assert.StartsWith("TimeLimitExceeded(2", Assert.Single(worker.Publisher.Events("task-failed")).GetProperty("exception").GetString(), StringComparison.Ordinal);
        gate.Release();
        await Wait.ForAsync(process, "the processor to finish");
    }

    [Fact]
    public async Task ProcessAsync_HardTimeLimitFromTaskOptions_AppliesWhenTheMessageHasNone()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (CancellationToken token) => gate.ObserveTokenAsync(token),
            new TaskOptions { TimeLimit = TimeSpan.FromSeconds(30) }));
        var process = worker.Processor.ProcessAsync(worker.Deliver(NewTask("tasks.gate").Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        worker.Time.Advance(TimeSpan.FromSeconds(30));

        await Wait.ForAsync(process, "the timed-out task to finish");
        AssertTimeLimit(30, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!.Args);
    }

    [Fact]
    public async Task ProcessAsync_SoftTimeLimitCaughtByTheTask_Succeeds()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.soft", async (CancellationToken token) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
                return "not cancelled";
            }
            catch (OperationCanceledException)
            {
                return "cleaned up";
            }
        }));
        var process = worker.Processor.ProcessAsync(worker.Deliver((NewTask("tasks.soft") with { SoftTimeLimit = 1 }).Encode()), default).AsTask();
        await Wait.UntilAsync(() => worker.State.ActiveCount == 1 && worker.Time.PendingTimers == 1, "the task to start with its soft limit timer");

        worker.Time.Advance(TimeSpan.FromSeconds(1));

        await Wait.ForAsync(process, "the task to finish");
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Success, "cleaned up"), (result.State, result.Value.GetString()));
    }

    [Fact]
    public async Task ProcessAsync_SoftTimeLimitNotCaught_FailsWithSoftTimeLimitExceeded()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (CancellationToken token) => gate.ObserveTokenAsync(token)));
        var process = worker.Processor.ProcessAsync(worker.Deliver((NewTask("tasks.gate") with { SoftTimeLimit = 1 }).Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        worker.Time.Advance(TimeSpan.FromSeconds(1));

        await Wait.ForAsync(process, "the task to finish");
        var error = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!;
        Assert.Equal(("SoftTimeLimitExceeded", "billiard.exceptions"), (error.Type, error.Module));
    }

    private static void AssertTimeLimit(double seconds, System.Text.Json.JsonElement args) =>
        Assert.Equal(seconds, Assert.Single(args.EnumerateArray()).GetDouble());
}
