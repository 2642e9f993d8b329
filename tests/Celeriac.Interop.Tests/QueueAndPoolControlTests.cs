using System.Text.Json;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, remote control that changes the worker: Python Celery's <c>app.control.add_consumer</c>,
/// <c>cancel_consumer</c>, <c>pool_grow</c> and <c>pool_shrink</c> sent to <c>celeriac worker</c> answer as Celery 5.2.6
/// answers (<c>celery/worker/control.py</c>) and do what they say: the worker consumes the queue or stops, and runs
/// more or fewer tasks at once with the prefetch to match.
/// </summary>
public sealed class QueueAndPoolControlTests : IClassFixture<WorkerControlFixture>, IAsyncLifetime
{
    private readonly WorkerControlFixture _fixture;

    public QueueAndPoolControlTests(WorkerControlFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    private PythonClient Python => _fixture.Python;

    private string Node => _fixture.Worker.Name;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task AddConsumer_TaskRoutedToTheQueue_RunsUntilCancelConsumerThenWaitsInTheQueue()
    {
        const string queue = "added-q2";

        var added = await ControlAsync("add_consumer", [queue]);

        // Celery's reply, word for word (celery/worker/control.py: ok(f'add consumer {queue}')).
        AssertJson.Equal("""{"ok": "add consumer added-q2"}""", added);
        var active = await ActiveQueuesAsync();
        Assert.Equal(["celery", queue], active.Select(q => q.GetProperty("name").GetString()));
        var entry = active[1];
        Assert.Equal(queue, entry.GetProperty("exchange").GetProperty("name").GetString());
        Assert.Equal("direct", entry.GetProperty("exchange").GetProperty("type").GetString());
        Assert.Equal(queue, entry.GetProperty("routing_key").GetString());

        var first = await Python.SendTaskWithOptionsAsync("tasks.add", [2, 3], new Dictionary<string, object?> { ["queue"] = queue });
        Assert.Equal(5, (await Python.GetAsync(first, TestTimeouts.Long)).Result!.Value.GetInt32());

        var cancelled = await ControlAsync("cancel_consumer", [queue]);

        Assert.Equal("no longer consuming from added-q2", cancelled.GetProperty("ok").GetString());
        Assert.Equal(["celery"], (await ActiveQueuesAsync()).Select(q => q.GetProperty("name").GetString()));
        var second = await Python.SendTaskWithOptionsAsync("tasks.add", [4, 5], new Dictionary<string, object?> { ["queue"] = queue });
        // A task sent after it to a queue still consumed has run: had the worker still consumed the other queue, it had the
        // task too. The reply came after basic.cancel-ok, so no delivery from that queue can still be on its way.
        Assert.Equal(2, (await Python.GetAsync(await Python.DelayAsync(1, 1), TestTimeouts.Long)).Result!.Value.GetInt32());
        var waiting = await _fixture.VirtualHost.PeekMessagesAsync(queue);
        Assert.Contains(waiting, m => m.GetProperty("properties").GetProperty("headers").GetProperty("id").GetString() == second);
        Assert.Equal("PENDING", await Python.StateAsync(second));

        // Consuming again picks it up.
        await ControlAsync("add_consumer", [queue]);
        try
        {
            Assert.Equal(9, (await Python.GetAsync(second, TestTimeouts.Long)).Result!.Value.GetInt32());
        }
        finally
        {
            await ControlAsync("cancel_consumer", [queue]);
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task CancelConsumer_TaskOfTheQueueRunning_StillFinishesAndIsAcknowledged()
    {
        const string queue = "draining-q";
        await ControlAsync("add_consumer", [queue]);
        var id = await Python.SendTaskWithOptionsAsync("tasks.sleep", [2], new Dictionary<string, object?> { ["queue"] = queue });
        await _fixture.Events.WaitForAsync("task-started", id, TestTimeouts.Long);

        var cancelled = await ControlAsync("cancel_consumer", [queue]);

        Assert.Equal("no longer consuming from draining-q", cancelled.GetProperty("ok").GetString());
        Assert.Equal(2, (await Python.GetAsync(id, TestTimeouts.Long)).Result!.Value.GetInt32());
        // Acknowledged, on the channel it came on: nothing went back to the queue.
        await Eventually.WaitAsync(async () => await _fixture.VirtualHost.GetQueueCountsAsync(queue) is { Ready: 0, Unacknowledged: 0, Consumers: 0 },
            TestTimeouts.Long, $"{queue} to have no message left and no consumer");
        Assert.Empty(await _fixture.VirtualHost.PeekMessagesAsync(queue));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PoolGrowAndShrink_ReplyAsCelery_AndConcurrencyStatsAndPrefetchFollow()
    {
        var before = await StatsAsync();
        Assert.Equal(1, before.GetProperty("pool").GetProperty("max-concurrency").GetInt32());
        Assert.Equal(4, before.GetProperty("prefetch_count").GetInt32());

        var grown = await ControlAsync("pool_grow", [], new Dictionary<string, object?> { ["n"] = 2 });

        Assert.Equal("pool will grow", grown.GetProperty("ok").GetString());
        try
        {
            var stats = await StatsAsync();
            Assert.Equal(3, stats.GetProperty("pool").GetProperty("max-concurrency").GetInt32());
            Assert.Equal(12, stats.GetProperty("prefetch_count").GetInt32());
            await WaitForChannelPrefetchAsync(12);

            // Three tasks now run at once: each starts before any of them has finished.
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                ids.Add(await Python.SendTaskAsync("tasks.sleep", [2]));
            }

            var started = new List<double>();
            foreach (var id in ids)
            {
                started.Add((await _fixture.Events.WaitForAsync("task-started", id, TestTimeouts.Long)).GetProperty("timestamp").GetDouble());
            }

            var succeeded = new List<double>();
            foreach (var id in ids)
            {
                succeeded.Add((await _fixture.Events.WaitForAsync("task-succeeded", id, TestTimeouts.Long)).GetProperty("timestamp").GetDouble());
            }

            Assert.True(started.Max() < succeeded.Min(), $"started at {string.Join(", ", started)}; first finished at {succeeded.Min()}");
        }
        finally
        {
            var shrunk = await ControlAsync("pool_shrink", [], new Dictionary<string, object?> { ["n"] = 2 });
            Assert.Equal("pool will shrink", shrunk.GetProperty("ok").GetString());
        }

        var after = await StatsAsync();
        Assert.Equal(1, after.GetProperty("pool").GetProperty("max-concurrency").GetInt32());
        Assert.Equal(4, after.GetProperty("prefetch_count").GetInt32());
        await WaitForChannelPrefetchAsync(4);
        var refused = await ControlAsync("pool_shrink", [], new Dictionary<string, object?> { ["n"] = 1 });
        Assert.Equal("ValueError(\"Can't shrink pool below one slot\")", refused.GetProperty("error").GetString());
    }

    private async Task<JsonElement> ControlAsync(string method, object?[] args, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        var replies = await Python.ControlAsync(method, Node, args, kwargs);
        Assert.True(replies.ValueKind == JsonValueKind.Array && replies.GetArrayLength() == 1, $"expected one reply to {method} from {Node}: {replies}");
        return replies[0].GetProperty(Node);
    }

    private async Task<JsonElement[]> ActiveQueuesAsync() =>
        (await Python.InspectAsync("active_queues", Node)).GetProperty(Node).EnumerateArray().ToArray();

    private async Task<JsonElement> StatsAsync() => (await Python.InspectAsync("stats", Node)).GetProperty(Node);

    // The task channel's basic.qos (global, as kombu sets it), as the broker reports it.
    private Task WaitForChannelPrefetchAsync(int prefetch) =>
        Eventually.WaitAsync(async () => (await _fixture.VirtualHost.GetChannelsAsync()).EnumerateArray()
                .Any(c => c.TryGetProperty("global_prefetch_count", out var p) && p.ValueKind == JsonValueKind.Number && p.GetInt32() == prefetch),
            TestTimeouts.Long, $"a channel with a global prefetch of {prefetch}");
}
