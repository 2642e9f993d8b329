using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.Revocation;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// A retried task is reported RETRY (record, rpc result, <c>task-retried</c>), published again with the same id and one
/// more retry, and its failed run acknowledged only after that publish.
/// </summary>
public sealed class TaskProcessorRetryTests(ITestOutputHelper output)
{
    private static readonly TaskOptions s_autoTimeouts = new()
    {
        Retry = new RetryPolicy { AutoRetryFor = [typeof(TimeoutException)], Backoff = TimeSpan.FromSeconds(2), Jitter = false },
    };

    [Fact]
    public async Task ProcessAsync_AutoRetriedException_ReportsRetryThenRepublishesThenAcks()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.slow", (Func<int>)Slow, s_autoTimeouts));
        var task = NewTask("tasks.slow") with { Retries = 1 };
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(
            [
                "publish celeryev task.received",
                "publish celeryev task.started",
                $"publish result RETRY to {TestWorker.ReplyTo}",
                "publish celeryev task.retried",
                "publish task tasks.slow to celery",
                "ack",
            ],
            worker.Log.Entries);
        var again = TaskMessageCodec.Decode(worker.Publisher.Messages.Single(m => m.Message.Headers.ContainsKey("task")).Message);
        Assert.Equal((task.Id, 2, worker.Time.GetUtcNow() + TimeSpan.FromSeconds(4)), (again.Id, again.Retries, again.Eta));
        Assert.Equal(TestWorker.ReplyTo, again.ReplyTo);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Retry, "TimeoutException"), (result.State, result.Error!.Type));
        var retried = Assert.Single(worker.Publisher.Events("task-retried"));
        Assert.Equal(task.Id, retried.GetProperty("uuid").GetString());
        Assert.Equal("TimeoutException('slow down')", retried.GetProperty("exception").GetString());
        Assert.Contains("System.TimeoutException: slow down", retried.GetProperty("traceback").GetString(), StringComparison.Ordinal);
        Assert.Equal(TestWorker.Hostname, retried.GetProperty("hostname").GetString());
        Assert.True(retried.TryGetProperty("timestamp", out _), "task-retried carries a timestamp");
        Assert.Empty(worker.Publisher.Events("task-failed"));
        Assert.Contains(worker.Logged.Entries, l => l.Message.Contains($"Task tasks.slow[{task.Id}] retry: Retry in 4s: TimeoutException('slow down')", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProcessAsync_RetriedThenSucceeds_RecordShowsRetryInTimelineAndTheRetries()
    {
        var store = new InMemoryTaskStore();
        await using var worker = TestWorker.Create(output, b => b.UseTaskStore(_ => store)
            .AddTask("tasks.once", (Func<TaskContext, int>)FailFirst, s_autoTimeouts));
        var task = NewTask("tasks.once");

        await worker.ProcessAsync(worker.Deliver(task.Encode()));
        var retrying = await store.GetAsync(task.Id, default);
        Assert.Equal((TaskState.Retry, 1, "TimeoutException"), (retrying!.State, retrying.Retries, retrying.Error?.Type));
        Assert.NotNull(retrying.Timeline.Retried);

        var again = worker.Publisher.Messages.Single(m => m.Message.Headers.ContainsKey("task")).Message;
        worker.Time.Advance(TimeSpan.FromSeconds(2));
        await worker.ProcessAsync(worker.Deliver(again));

        var done = await store.GetAsync(task.Id, default);
        Assert.Equal((TaskState.Success, 1), (done!.State, done.Retries));
        Assert.Equal("2", done.Result?.GetRawText());
        Assert.NotNull(done.Timeline.Retried);
        Assert.Null(done.Error);
    }

    [Fact]
    public async Task ProcessAsync_PastMaxRetries_FailsWithTheOriginalException()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.slow", (Func<int>)Slow, s_autoTimeouts));
        var delivery = worker.Deliver((NewTask("tasks.slow") with { Retries = 3 }).Encode());

        await worker.ProcessAsync(delivery);

        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Failure, "TimeoutException", "slow down"), (result.State, result.Error!.Type, result.Error.Message));
        Assert.Single(worker.Publisher.Events("task-failed"));
        Assert.Empty(worker.Publisher.Events("task-retried"));
        Assert.DoesNotContain(worker.Publisher.Messages, m => m.Message.Headers.ContainsKey("task"));
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Theory]
    [InlineData(0, new[] { "tasks.slow" })] // retried: the errback waits, and the retry carries it
    [InlineData(3, new[] { "tasks.echo" })] // past the maximum: FAILURE, so the errback runs
    public async Task ProcessAsync_TaskWithErrback_RunsItOnlyOnceNoRetryIsLeft(int retries, string[] published)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.slow", (Func<int>)Slow, s_autoTimeouts));
        var task = NewTask("tasks.slow") with
        {
            Retries = retries,
            Embed = new TaskEmbed(null, Json("""[{"task": "tasks.echo", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]"""),
                null, null),
        };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        var sent = worker.Publisher.Tasks();
        Assert.Equal(published, sent.Select(t => t.Name));
        if (retries == 0)
        {
            Assert.NotNull(sent[0].Embed.Errbacks);
        }
    }

    [Fact]
    public async Task ProcessAsync_ContextRetry_RepublishesWithItsCountdown()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.ask", (Func<TaskContext, int>)AskForRetry));
        var task = NewTask("tasks.ask");

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        var again = TaskMessageCodec.Decode(worker.Publisher.Messages.Single(m => m.Message.Headers.ContainsKey("task")).Message);
        Assert.Equal((1, worker.Time.GetUtcNow() + TimeSpan.FromSeconds(30)), (again.Retries, again.Eta));
        Assert.Equal("InvalidOperationException('busy')", Assert.Single(worker.Publisher.Events("task-retried")).GetProperty("exception").GetString());
    }

    [Fact]
    public async Task ProcessAsync_RetryDueBeyondTheHoldLimit_IsDeferredWhenItComesBack()
    {
        await using var worker = TestWorker.Create(output,
            b => b.AddTask("tasks.later", (Func<TaskContext, int>)(c => throw c.Retry(countdown: TimeSpan.FromHours(1)))));
        var task = NewTask("tasks.later");
        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        var again = worker.Publisher.Messages.Single(m => m.Message.Headers.ContainsKey("task")).Message;
        var comesBack = worker.Deliver(again);
        await worker.ProcessAsync(comesBack);

        var (deferred, until) = Assert.Single(worker.Deferral.Deferred);
        Assert.Same(comesBack, deferred);
        Assert.Equal(worker.Time.GetUtcNow() + TimeSpan.FromHours(1), until);
        Assert.Equal(["ack"], comesBack.Recorded().Calls);
        Assert.Equal("None", Assert.Single(worker.Publisher.Events("task-retried")).GetProperty("exception").GetString());
    }

    [Fact]
    public async Task ProcessAsync_RevokedWhileRunning_IsNotRetried()
    {
        IRevokedTasks? revoked = null;
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.revoked", async (TaskContext context) =>
        {
            await revoked!.AddAsync([context.Id], default);
            throw new TimeoutException("slow down");
        }, s_autoTimeouts));
        revoked = worker.Revoked;
        var delivery = worker.Deliver(NewTask("tasks.revoked").Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(TaskState.Revoked, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        Assert.Empty(worker.Publisher.Events("task-retried"));
        Assert.DoesNotContain(worker.Publisher.Messages, m => m.Message.Headers.ContainsKey("task"));
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_TerminatedTaskThrowingARetriedException_IsRevokedNotRetried()
    {
        var gate = new TaskGate();
        var throwNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", async (CancellationToken token) =>
        {
            await gate.ObserveTokenAsync(token).ContinueWith(_ => { }, TaskScheduler.Default);
            // Thrown once the worker has reported the stop, as by code slow to react to its token. Thrown at once, it raced
            // the worker noticing the stop: a throw that wins counts as the task's own failure (OutcomeMappingTests).
            await throwNow.Task;
            throw new TimeoutException("stopped");
        }, s_autoTimeouts));
        var task = NewTask("tasks.gate");
        var delivery = worker.Deliver(task.Encode());
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = task.Id, terminate = true }, ticket: null), default);
        await Wait.UntilAsync(() => worker.Publisher.Results(TestWorker.ReplyTo).Any(), "the terminated task's result");
        throwNow.SetResult();
        await Wait.ForAsync(process, "the terminated task to be settled");

        Assert.Equal(TaskState.Revoked, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        Assert.Empty(worker.Publisher.Events("task-retried"));
        Assert.DoesNotContain(worker.Publisher.Messages, m => m.Message.Headers.ContainsKey("task"));
    }

    [Fact]
    public async Task ProcessAsync_RepublishRefused_DoesNotAckSoTheBrokerRedelivers()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.slow", (Func<int>)Slow, s_autoTimeouts));
        worker.Publisher.FailWhen = m => m.Message.Headers.ContainsKey("task") ? new InvalidOperationException("nack") : null;
        var delivery = worker.Deliver(NewTask("tasks.slow").Encode());

        await Assert.ThrowsAsync<InvalidOperationException>(() => worker.ProcessAsync(delivery));

        Assert.DoesNotContain("ack", delivery.Recorded().Calls);
        Assert.Contains("publish-failed task tasks.slow to celery", worker.Log.Entries);
    }

    [Fact]
    public async Task AddTasks_CeleryTaskAttribute_SetsTheRetryPolicy()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTasks<AttributedTasks>());

        Assert.True(worker.Registry.TryGet("tasks.attributed", out var definition));
        var policy = definition.Options.Retry;
        Assert.Equal([typeof(TimeoutException)], policy.AutoRetryFor);
        Assert.Equal((null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), false),
            (policy.MaxRetries, policy.DefaultRetryDelay, policy.Backoff, policy.BackoffMax, policy.Jitter));
        Assert.True(worker.Registry.TryGet("tasks.plain", out var plain));
        Assert.Equal((3, TimeSpan.FromSeconds(180), (TimeSpan?)null, TimeSpan.FromSeconds(600), true),
            (plain.Options.Retry.MaxRetries, plain.Options.Retry.DefaultRetryDelay, plain.Options.Retry.Backoff, plain.Options.Retry.BackoffMax,
                plain.Options.Retry.Jitter));
        Assert.Empty(plain.Options.Retry.AutoRetryFor);
    }

    private static int Slow() => throw new TimeoutException("slow down");

    private static int FailFirst(TaskContext context) => context.Retries == 0 ? throw new TimeoutException("first") : context.Retries + 1;

    private static int AskForRetry(TaskContext context) =>
        throw context.Retry(new InvalidOperationException("busy"), countdown: TimeSpan.FromSeconds(30));

    public sealed class AttributedTasks
    {
        [CeleryTask("tasks.attributed", AutoRetryFor = [typeof(TimeoutException)], MaxRetries = -1, DefaultRetryDelay = 5, RetryBackoff = 3,
            RetryBackoffMax = 60, RetryJitter = false)]
        public static void Attributed()
        {
        }

        [CeleryTask("tasks.plain")]
        public static void Plain()
        {
        }
    }
}
