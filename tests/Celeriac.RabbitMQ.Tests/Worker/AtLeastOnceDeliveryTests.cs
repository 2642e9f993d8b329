using Celeriac.Core.States;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// At-least-once: a task's message is acknowledged only after its outcome is published, so a worker that dies
/// mid-task loses nothing; the broker redelivers the message and the next worker runs it.
/// </summary>
public sealed class AtLeastOnceDeliveryTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task Worker_KilledWhileTaskRuns_TaskRedeliveredAndCompletedByTheNextWorker()
    {
        var virtualHost = fixture.VirtualHost;
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();
        var firstNode = Nodes.New("first");
        await using var first = await CommandLineWorker.StartAsync(virtualHost, output, firstNode);

        var result = await client.Client.SendAsync("tasks.sleep", 3);
        await events.WaitForAsync("task-started", firstNode, result.Id);
        first.Signal(9);
        await first.WaitForExitAsync(TestTimeouts.Long);

        Assert.True(result.State == TaskState.Pending, $"The killed worker must not have reported an outcome, but the state is {result.State}.");
        var secondNode = Nodes.New("second");
        await using var second = await CommandLineWorker.StartAsync(virtualHost, output, secondNode);
        await events.WaitForAsync("task-started", secondNode, result.Id, timeout: TestTimeouts.Long);
        var active = await client.AskAsync(secondNode, "active");
        var running = Assert.Single(active.EnumerateArray());
        Assert.Equal(result.Id, running.GetProperty("id").GetString());
        Assert.True(running.GetProperty("delivery_info").GetProperty("redelivered").GetBoolean(),
            $"Expected the second worker to run the broker's redelivery of the message; active: {running}");

        Assert.Equal(3, (await result.GetAsync(TestTimeouts.Long)).GetDouble());
        await second.WaitForLineAsync($"Task tasks.sleep[{result.Id}] succeeded", TestTimeouts.Short);
        await events.WaitForAsync("task-succeeded", secondNode, result.Id);
    }

    [Fact]
    public async Task Execute_TaskRunning_MessageStaysUnacknowledgedUntilTheResultIsPublished()
    {
        var virtualHost = fixture.VirtualHost;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output, b => b.AddTask("tests.gate", async () =>
        {
            started.TrySetResult();
            await release.Task;
            return "done";
        }));
        await using var client = TestClient.Create(virtualHost, output);

        var result = await client.Client.SendAsync("tests.gate");
        await started.Task.WaitAsync(TestTimeouts.Short);

        // Celery's default acks at start; Celeriac holds the message until the outcome is out, so a crash now redelivers it.
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 1, Ready: 0 }, "the running task's message to be delivered and unacknowledged");
        Assert.Equal(TaskState.Pending, result.State);
        release.SetResult();
        Assert.Equal("done", (await result.GetAsync(TestTimeouts.Long)).GetString());
        await QueueWait.ForAsync(virtualHost, "celery", c => c is { Unacknowledged: 0, Ready: 0 }, "the message to be acknowledged after the result");
    }
}
