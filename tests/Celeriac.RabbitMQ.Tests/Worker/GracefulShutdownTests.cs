using Celeriac.Core.States;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// SIGTERM is a warm shutdown, as in Celery: stop consuming, let running tasks finish within the grace period,
/// give reserved ones back to the queue, and exit 0. A task that outlives the grace period is cancelled and
/// requeued, never failed: cancelled by shutdown means requeue.
/// </summary>
public sealed class GracefulShutdownTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task Sigterm_OneTaskRunningOthersReserved_RunningFinishesReservedRequeuedExitsZero()
    {
        var virtualHost = fixture.VirtualHost;
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();
        var firstNode = Nodes.New("stopping");
        await using var first = await CommandLineWorker.StartAsync(virtualHost, output, firstNode, concurrency: 1,
            extraArguments: ["--prefetch-multiplier", "4"]);

        var running = await client.Client.SendAsync("tasks.sleep", 4);
        await events.WaitForAsync("task-started", firstNode, running.Id);
        var reserved = new List<AsyncResult>();
        for (var i = 0; i < 3; i++)
        {
            reserved.Add(await client.Client.SendAsync("tasks.add", i, 1));
        }

        foreach (var task in reserved)
        {
            await events.WaitForAsync("task-received", firstNode, task.Id);
        }

        Assert.True(events.Find("task-succeeded", firstNode, running.Id).Count == 0,
            "Precondition: the running task must still run when SIGTERM arrives (the machine was too slow to queue the others in 4 s).");
        first.Signal(15);

        Assert.Equal(4, (await running.GetAsync(TestTimeouts.Long)).GetDouble());
        await events.WaitForAsync("task-succeeded", firstNode, running.Id);
        await CommandLineWorker.AssertExitsZeroAsync(first);
        await events.WaitForAsync("worker-offline", firstNode);
        foreach (var task in reserved)
        {
            Assert.True(task.State == TaskState.Pending, $"Reserved task {task.Id} must not have an outcome from the stopping worker; it is {task.State}.");
            Assert.Empty(events.Find("task-started", firstNode, task.Id));
            Assert.Contains(first.Lines, l => l.Contains($"Task tasks.add[{task.Id}] returned to the queue", StringComparison.Ordinal));
        }

        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Ready: 3, Unacknowledged: 0 }, "the three reserved tasks to be back in the queue");
        var secondNode = Nodes.New("taking-over");
        await using var second = await CommandLineWorker.StartAsync(virtualHost, output, secondNode, concurrency: 1);
        for (var i = 0; i < reserved.Count; i++)
        {
            Assert.Equal(i + 1, (await reserved[i].GetAsync(TestTimeouts.Long)).GetInt32());
            await events.WaitForAsync("task-succeeded", secondNode, reserved[i].Id);
        }

        // An ack follows the result (it waits for the durable record too): the worker is killed when the test ends, so wait
        // for the acks, or the broker would hand these tasks to the next test's worker.
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Ready: 0, Unacknowledged: 0 }, "the taking-over worker to acknowledge the three tasks");
    }

    [Fact]
    public async Task Sigterm_TaskOutlivesShutdownTimeout_CancelledAndRequeuedNotFailed()
    {
        var virtualHost = fixture.VirtualHost;
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();
        var firstNode = Nodes.New("impatient");
        // On this worker tasks.add sleeps a minute; on the next one it returns at once.
        await using var first = await CommandLineWorker.StartAsync(virtualHost, output, firstNode, concurrency: 1,
            extraArguments: ["--shutdown-timeout", "1"], environment: new Dictionary<string, string> { ["CELERIAC_DEMO_ADD_SLEEP"] = "60" });

        var result = await client.Client.SendAsync("tasks.add", 2, 3);
        await events.WaitForAsync("task-started", firstNode, result.Id);
        first.Signal(15);

        await CommandLineWorker.AssertExitsZeroAsync(first);
        await first.WaitForLineAsync("Shutdown grace period over", TestTimeouts.Short);
        await first.WaitForLineAsync($"Task tasks.add[{result.Id}] returned to the queue", TestTimeouts.Short);
        // worker-offline is the stopping worker's last event: anything about the task was sent before it.
        await events.WaitForAsync("worker-offline", firstNode);
        Assert.Empty(events.Find("task-failed", firstNode, result.Id));
        Assert.Empty(events.Find("task-revoked", firstNode, result.Id));
        Assert.True(result.State == TaskState.Pending, $"A task cancelled by shutdown must not be reported; it is {result.State}.");
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Ready: 1, Unacknowledged: 0 }, "the cancelled task to be back in the queue");

        var secondNode = Nodes.New("patient");
        await using var second = await CommandLineWorker.StartAsync(virtualHost, output, secondNode, concurrency: 1);
        Assert.Equal(5, (await result.GetAsync(TestTimeouts.Long)).GetInt32());
        await events.WaitForAsync("task-succeeded", secondNode, result.Id);
    }
}
