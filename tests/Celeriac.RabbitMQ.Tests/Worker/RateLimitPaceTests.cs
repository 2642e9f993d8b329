using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Celeriac.RabbitMQ.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// Issue 11, rate limits: Python Celery's <c>app.control.rate_limit(name, rate)</c> (what <c>celery control rate_limit</c>
/// sends) changes how fast the worker starts that task. Measured where the task's code starts, not from events or
/// records, whose timestamps follow the durable RECEIVED write and so bunch up when the disk is slow.
/// </summary>
public sealed class RateLimitPaceTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private const string TaskName = "tests.paced";
    // Not consumed while a burst is sent, so the whole burst waits in the worker when it starts on them: the spacing of
    // the starts can come only from the limit, not from how fast the client sent the tasks.
    private const string Queue = "paced";
    private const int Burst = 6;

    private readonly ConcurrentDictionary<string, long> _starts = new();

    [Fact]
    public async Task ControlRateLimit_TwoThenFivePerSecond_SpacesTheStartsByTheRate()
    {
        var virtualHost = fixture.VirtualHost;
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output,
            b => b.AddTask(TaskName, (string tag) => _starts.TryAdd(tag, Stopwatch.GetTimestamp())), o => o.Concurrency = 4);
        await using var python = await PythonClient.StartAsync(virtualHost, output.WriteLine);

        var slow = await StartTimesAsync(python, worker.Hostname, "2/s");
        var fast = await StartTimesAsync(python, worker.Hostname, "5/s");
        await ControlAsync(python, worker.Hostname, "rate_limit", [TaskName, null]);

        // One token per task name, refilled at the rate (kombu's TokenBucket, capacity 1): the first task of a burst starts
        // at once, each later one 1/rate after the one before. The bounds leave room for scheduling delays; a limit that
        // did not apply, or did not change, misses them by far (without a limit the burst starts within milliseconds).
        AssertPaced(slow, perSecond: 2);
        AssertPaced(fast, perSecond: 5);
        Assert.True(Span(fast) < 0.75 * Span(slow), $"5/s took {Span(fast):0.000}s for the burst, 2/s {Span(slow):0.000}s: the faster rate did not take");
    }

    private void AssertPaced(double[] starts, double perSecond)
    {
        var intervals = starts.Zip(starts.Skip(1), (a, b) => b - a).ToArray();
        var shown = string.Join(", ", intervals.Select(i => i.ToString("0.000", CultureInfo.InvariantCulture)));
        output.WriteLine($"{perSecond}/s: starts {shown} s apart");
        Assert.True(Span(starts) >= 0.9 * (starts.Length - 1) / perSecond,
            $"{starts.Length} starts at {perSecond}/s took {Span(starts):0.000}s, less than {(starts.Length - 1) / perSecond:0.0}s; intervals {shown}");
        Assert.All(intervals, i => Assert.True(i >= 0.5 / perSecond, $"an interval of {i:0.000}s at {perSecond}/s; intervals {shown}"));
    }

    private static double Span(double[] starts) => starts[^1] - starts[0];

    // Sets the rate, queues a burst on the unconsumed queue, consumes it, and returns the starts (seconds) in order.
    private async Task<double[]> StartTimesAsync(PythonClient python, string node, string rate)
    {
        var set = await ControlAsync(python, node, "rate_limit", [TaskName, rate]);
        Assert.Equal("new rate limit set successfully", set.GetProperty("ok").GetString());
        var tags = Enumerable.Range(0, Burst).Select(i => $"{rate}#{i}").ToArray();
        var ids = new List<string>();
        foreach (var tag in tags)
        {
            ids.Add(await python.SendTaskWithOptionsAsync(TaskName, [tag], new Dictionary<string, object?> { ["queue"] = Queue }));
        }

        await ControlAsync(python, node, "add_consumer", [Queue]);
        foreach (var id in ids)
        {
            Assert.Null((await python.GetAsync(id, TestTimeouts.Long)).Error);
        }

        await ControlAsync(python, node, "cancel_consumer", [Queue]);
        return tags.Select(t => Stopwatch.GetElapsedTime(0, _starts[t]).TotalSeconds).Order().ToArray();
    }

    private static async Task<JsonElement> ControlAsync(PythonClient python, string node, string method, object?[] args)
    {
        var replies = await python.ControlAsync(method, node, args);
        Assert.True(replies.ValueKind == JsonValueKind.Array && replies.GetArrayLength() == 1, $"expected one reply to {method} from {node}: {replies}");
        return replies[0].GetProperty(node);
    }
}
