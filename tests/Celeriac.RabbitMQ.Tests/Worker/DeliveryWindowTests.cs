using Celeriac.Core.Records;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;
using Celeriac.Records.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// The task channel's window: a task whose run ended but whose outcome is not durable yet no longer holds a place in the
/// prefetch (it is still unacknowledged), and acks sent in batches never cover a delivery that is not settled.
/// </summary>
public sealed class DeliveryWindowTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task Consume_OutcomeWriteHeldWithPrefetchOne_NextTaskRunsAndBothStayUnacknowledged()
    {
        var virtualHost = fixture.VirtualHost;
        var store = new HeldWritesStore<TaskFinished>(new InMemoryTaskStore());
        var ran = new[] { NewSignal(), NewSignal() };
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output, b => b
                .AddTask("tests.mark", (int n) => ran[n].TrySetResult())
                .UseTaskStore(_ => store),
            o =>
            {
                o.Concurrency = 1;
                o.PrefetchMultiplier = 1;
            });
        await using var client = TestClient.Create(virtualHost, output);

        var first = await client.Client.SendAsync("tests.mark", 0);
        await ran[0].Task.WaitAsync(TestTimeouts.Long);
        var second = await client.Client.SendAsync("tests.mark", 1);

        // With a prefetch of 1 the first task, waiting for its outcome to be stored, used to keep the second one out.
        await ran[1].Task.WaitAsync(TestTimeouts.Long);
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 2, Ready: 0 },
            "both messages delivered and neither acknowledged while their outcomes are not stored");

        store.Release();
        await first.GetAsync(TestTimeouts.Long);
        await second.GetAsync(TestTimeouts.Long);
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 0, Ready: 0 }, "both messages acknowledged once stored");
    }

    [Fact]
    public async Task Consume_ManyTasksFinishAfterAnEarlierOneStillRunning_BatchedAcksLeaveItUnacknowledged()
    {
        var virtualHost = fixture.VirtualHost;
        var started = NewSignal();
        var release = NewSignal();
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output, b => b
            .AddTask("tests.gate", async () =>
            {
                started.TrySetResult();
                await release.Task;
                return "done";
            })
            .AddTask("tests.fast", (int n) => n));
        await using var client = TestClient.Create(virtualHost, output);

        var held = await client.Client.SendAsync("tests.gate");
        await started.Task.WaitAsync(TestTimeouts.Long);
        var fast = new List<AsyncResult>();
        for (var n = 0; n < 100; n++)
        {
            fast.Add(await client.Client.SendAsync("tests.fast", n));
        }

        foreach (var task in fast)
        {
            await task.GetAsync(TestTimeouts.Long);
        }

        // Every later delivery is acknowledged, in batches; none of those acks may cover the earlier one still running.
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 1, Ready: 0 }, "only the running task's message unacknowledged");
        release.TrySetResult();
        Assert.Equal("done", (await held.GetAsync(TestTimeouts.Long)).GetString());
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 0, Ready: 0 }, "every message acknowledged");
    }

    [Fact]
    public async Task Consume_PrefetchAheadWhileATaskSettles_WorkerStillReservesNoMoreThanTheLimit()
    {
        var virtualHost = fixture.VirtualHost;
        var store = new HeldWritesStore<TaskFinished>(new InMemoryTaskStore());
        var started = NewSignal();
        var release = NewSignal();
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output, b => b
                .AddTask("tests.noop", () => 0)
                .AddTask("tests.gate", async () =>
                {
                    started.TrySetResult();
                    await release.Task;
                    return "done";
                })
                .UseTaskStore(_ => store),
            o =>
            {
                o.Concurrency = 1;
                o.PrefetchMultiplier = 1;
            });
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();

        // A task settling (its outcome held) keeps the broker's prefetch two steps ahead; then one runs and four wait.
        var settling = await client.Client.SendAsync("tests.noop");
        await events.WaitForAsync("task-succeeded", worker.Hostname, settling.Id);
        var running = await client.Client.SendAsync("tests.gate");
        await started.Task.WaitAsync(TestTimeouts.Long);
        var waiting = new List<AsyncResult>();
        for (var i = 0; i < 4; i++)
        {
            waiting.Add(await client.Client.SendAsync("tests.noop"));
        }

        // The broker may send two of them ahead, but the worker does not take them in: nothing reserved beyond 1 x 1.
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 4, Ready: 2 },
            "the settling, the running and two waiting messages delivered, two left in the queue");
        Assert.Equal(0, (await client.AskAsync(worker.Hostname, "reserved")).GetArrayLength());
        Assert.All(waiting, t => Assert.Empty(events.Find("task-received", worker.Hostname, t.Id)));

        release.TrySetResult();
        store.Release();
        Assert.Equal("done", (await running.GetAsync(TestTimeouts.Long)).GetString());
        foreach (var task in waiting)
        {
            await task.GetAsync(TestTimeouts.Long);
        }

        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 0, Ready: 0 }, "every message acknowledged");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
