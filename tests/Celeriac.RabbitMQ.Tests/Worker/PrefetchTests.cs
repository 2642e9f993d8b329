using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// Prefetch is concurrency x multiplier, as in Celery, and a task held for its ETA raises it by one so far-future
/// tasks never fill the window and block work that could run now.
/// </summary>
public sealed class PrefetchTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private static readonly string[] s_prefetchOne = ["--prefetch-multiplier", "1"];

    [Fact]
    public async Task Consume_Concurrency2Multiplier1_HoldsAtMostTwoUnacknowledgedMessages()
    {
        var virtualHost = fixture.VirtualHost;
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();
        var node = Nodes.New("prefetch");
        await using var worker = await CommandLineWorker.StartAsync(virtualHost, output, node, concurrency: 2, extraArguments: s_prefetchOne);

        var sleepers = new[] { await client.Client.SendAsync("tasks.sleep", 60), await client.Client.SendAsync("tasks.sleep", 60) };
        var waiting = new List<AsyncResult>();
        for (var i = 0; i < 3; i++)
        {
            waiting.Add(await client.Client.SendAsync("tasks.noop"));
        }

        foreach (var sleeper in sleepers)
        {
            await events.WaitForAsync("task-started", node, sleeper.Id);
        }

        await QueueWait.ForAsync(virtualHost, "celery", c => c.Ready == 3 && c.Unacknowledged == 2,
            "two messages held by the worker and three left in the queue");
        Assert.Equal(2, (await client.AskAsync(node, "active")).GetArrayLength());
        Assert.Equal(0, (await client.AskAsync(node, "reserved")).GetArrayLength());
        foreach (var task in waiting)
        {
            Assert.Empty(events.Find("task-received", node, task.Id));
        }

        // Free the window: the waiting tasks then run.
        foreach (var sleeper in sleepers)
        {
            await sleeper.RevokeAsync(terminate: true);
            await Assert.ThrowsAsync<TaskRevokedException>(() => sleeper.GetAsync(TestTimeouts.Long));
        }

        foreach (var task in waiting)
        {
            Assert.Equal(JsonValueKind.Null, (await task.GetAsync(TestTimeouts.Long)).ValueKind);
        }
    }

    [Fact]
    public async Task Consume_EtaTasksFillThePrefetchWindow_TaskDueNowStillRuns()
    {
        var virtualHost = fixture.VirtualHost;
        await using var client = TestClient.Create(virtualHost, output);
        await using var events = await client.SubscribeAsync();
        var node = Nodes.New("eta");
        await using var worker = await CommandLineWorker.StartAsync(virtualHost, output, node, concurrency: 2, extraArguments: s_prefetchOne);
        var later = new SendOptions { Countdown = TimeSpan.FromSeconds(60) };

        // As many far-future tasks as the prefetch window (2 x 1) holds.
        var scheduled = new[]
        {
            await client.Client.SendAsync("tasks.noop", [], null, later, CancellationToken.None),
            await client.Client.SendAsync("tasks.noop", [], null, later, CancellationToken.None),
        };
        foreach (var task in scheduled)
        {
            await events.WaitForAsync("task-received", node, task.Id);
        }

        var now = await client.Client.SendAsync("tasks.add", 2, 3);

        Assert.Equal(5, (await now.GetAsync(TestTimeouts.Long)).GetInt32());
        var inspected = await client.AskAsync(node, "scheduled");
        var ids = inspected.EnumerateArray().Select(s => s.GetProperty("request").GetProperty("id").GetString()).ToArray();
        Assert.True(scheduled.All(t => ids.Contains(t.Id)), $"Expected both ETA tasks in 'inspect scheduled'; it lists: {inspected}");
        Assert.All(inspected.EnumerateArray(), s => Assert.Equal(JsonValueKind.String, s.GetProperty("eta").ValueKind));

        foreach (var task in scheduled)
        {
            await task.RevokeAsync();
            var revoked = await Assert.ThrowsAsync<TaskRevokedException>(() => task.GetAsync(TestTimeouts.Long));
            Assert.Equal("revoked", revoked.Reason);
        }
    }
}
