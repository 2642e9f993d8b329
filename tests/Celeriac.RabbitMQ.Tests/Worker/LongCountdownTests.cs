using System.Collections.Concurrent;
using Celeriac.Core.Execution;
using Celeriac.RabbitMQ.Tests.Support;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// Issue 11, long countdowns: a task Python Celery sends with a 40-minute countdown is not held unacknowledged (RabbitMQ's
/// consumer timeout, 30 minutes by default, would close the channel under it): the worker acknowledges it and parks it in
/// a delay level, from where it survives a worker restart and runs at its ETA, once. Nothing waits 40 minutes: the workers'
/// clocks are fake ones the test moves, and a broker policy shortens the delay levels' TTL (RabbitMQ applies the lower of
/// a policy's <c>message-ttl</c> and the queue's own).
/// </summary>
public sealed class LongCountdownTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private const string TaskName = "tests.countdown";
    // Long enough to stop the first worker and look at the queues while the message rests in its level, short enough
    // for a quick test. A stop takes well under a second here.
    private static readonly TimeSpan s_levelTtl = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Countdown40Minutes_FromPython_IsAckedDeferredSurvivesARestartAndRunsAtItsEtaOnce()
    {
        var virtualHost = fixture.VirtualHost;
        await virtualHost.SetQueuePolicyAsync("short-delay-levels", @"^celeriac\.delay\.",
            new Dictionary<string, object> { ["message-ttl"] = (long)s_levelTtl.TotalMilliseconds });
        var runs = new ConcurrentQueue<DateTimeOffset>();
        var sent = DateTimeOffset.UtcNow;
        var firstClock = new FakeTimeProvider(sent);
        await using var python = await PythonClient.StartAsync(virtualHost, output.WriteLine);

        string id;
        DateTimeOffset sendStarted, sendEnded;
        await using (var first = await StartWorkerAsync(virtualHost, firstClock, runs))
        {
            sendStarted = DateTimeOffset.UtcNow;
            id = await python.SendTaskWithOptionsAsync(TaskName, [], new Dictionary<string, object?> { ["countdown"] = 2400 });
            sendEnded = DateTimeOffset.UtcNow;
            // 2400 s ahead: the longest level that does not overshoot is 2^11 s.
            await Eventually.WaitAsync(async () => (await IdsInAsync(virtualHost, "celeriac.delay.2048s")).Contains(id), TestTimeouts.Short,
                $"task {id} in celeriac.delay.2048s");
            await first.StopAsync();
        }

        // Had the first worker held it unacknowledged, its stop would have put it back in the task queue.
        Assert.DoesNotContain(id, await IdsInAsync(virtualHost, "celery"));
        Assert.Contains(id, await IdsInAsync(virtualHost, "celeriac.delay.2048s"));
        Assert.Empty(runs);

        // The second worker's clock starts when the first level would have let the message go in earnest; some 352 s are
        // left, within the hold limit (10 minutes), so it holds the task until its ETA.
        var secondClock = new FakeTimeProvider(sent + TimeSpan.FromSeconds(2048));
        await using var second = await StartWorkerAsync(virtualHost, secondClock, runs);
        var eta = await WaitForHeldAsync(second, id);
        // Python's eta: its own now + 2400 s, taken while the test waited for send_task.
        Assert.InRange(eta, sendStarted.AddSeconds(2400).AddMilliseconds(-10), sendEnded.AddSeconds(2400).AddMilliseconds(10));
        Assert.Empty(runs);

        secondClock.SetUtcNow(eta);

        Assert.Null((await python.GetAsync(id, TestTimeouts.Long)).Error);
        // On time by the worker's clock, which stopped at the ETA: not before it, not a moment later.
        Assert.Equal(new[] { eta }, runs.ToArray());
        // Exactly once: no copy is left anywhere to run again.
        Assert.Empty(await IdsInAsync(virtualHost, "celery"));
        foreach (var level in await DelayLevelsAsync(virtualHost))
        {
            Assert.DoesNotContain(id, await IdsInAsync(virtualHost, level));
        }
    }

    private Task<InProcessWorker> StartWorkerAsync(RabbitMqVirtualHost virtualHost, FakeTimeProvider clock, ConcurrentQueue<DateTimeOffset> runs) =>
        InProcessWorker.StartAsync(virtualHost, output, b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.AddTask(TaskName, () => runs.Enqueue(clock.GetUtcNow()));
        });

    // The task ids in a queue now (read and put back, so the message keeps its place and its expiry).
    private static async Task<string[]> IdsInAsync(RabbitMqVirtualHost virtualHost, string queue) =>
        (await virtualHost.PeekMessagesAsync(queue, count: 100))
        .Select(m => m.GetProperty("properties").GetProperty("headers").GetProperty("id").GetString()!)
        .ToArray();

    private static async Task<string[]> DelayLevelsAsync(RabbitMqVirtualHost virtualHost) =>
        (await virtualHost.GetQueuesAsync()).EnumerateArray()
        .Select(q => q.GetProperty("name").GetString()!)
        .Where(n => n.StartsWith("celeriac.delay.", StringComparison.Ordinal))
        .ToArray();

    // The worker's own state, not inspect().scheduled(): a worker whose clock is half an hour ahead rightly takes the
    // client's control commands for expired (their expires header is the client's now + timeout).
    private static async Task<DateTimeOffset> WaitForHeldAsync(InProcessWorker worker, string id)
    {
        var state = worker.Services.GetRequiredService<WorkerState>();
        DateTimeOffset? eta = null;
        await Eventually.WaitAsync(() => state.TryGet(id, out var request) && (eta = request.Message.Eta) is not null && request.StartedAt is null,
            TestTimeouts.Long, $"task {id} held by {worker.Hostname}");
        return eta!.Value;
    }
}
