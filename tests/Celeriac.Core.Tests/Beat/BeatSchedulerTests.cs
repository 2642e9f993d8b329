using Celeriac.Core.Beat;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.Beat;

/// <summary>
/// Several schedulers over one lease, stepped on a fake clock: each tick is sent once, by the lease holder; a standby
/// takes over when the holder stops renewing, from the last tick sent.
/// </summary>
public sealed class BeatSchedulerTests
{
    private static readonly PeriodicTask s_everyTenSeconds = new()
    {
        Name = "add-every-10s",
        Task = "tasks.add",
        Schedule = PeriodicSchedule.Every(TimeSpan.FromSeconds(10)),
        Args = CeleryJson.ToElement(new[] { 2, 3 }),
    };

    [Fact]
    public async Task StepAsync_TwoSchedulersOneLease_SendEachTickOnce()
    {
        var time = new FakeTimeProvider();
        var lease = new InMemorySchedulerLease(time);
        var broker = new RecordingBroker();
        var a = Scheduler("a", lease, broker, time);
        var b = Scheduler("b", lease, broker, time);

        for (var second = 0; second <= 60; second++)
        {
            await a.StepAsync([s_everyTenSeconds], default);
            await b.StepAsync([s_everyTenSeconds], default);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(6, broker.Sent.Count);
        Assert.All(broker.Sent, s => Assert.Equal(("tasks.add", "celery", "[2,3]"), (s.Message.Name, s.Queue, s.Message.Args.GetRawText())));
        Assert.Equal(6, broker.Sent.Select(s => s.Message.Id).Distinct().Count());
    }

    [Fact]
    public async Task StepAsync_HolderStopsRenewing_StandbyTakesOverAfterTheLeaseAndGoesOnFromTheLastTick()
    {
        var time = new FakeTimeProvider();
        var lease = new InMemorySchedulerLease(time);
        var broker = new RecordingBroker();
        var a = Scheduler("a", lease, broker, time);
        var b = Scheduler("b", lease, broker, time);
        for (var second = 0; second <= 25; second++)
        {
            await a.StepAsync([s_everyTenSeconds], default);
            await b.StepAsync([s_everyTenSeconds], default);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, broker.Sent.Count);
        var lastByA = await lease.GetLastTickAsync(s_everyTenSeconds.Name, default);

        // a is gone (no more steps); b takes over once the 15 s lease has run out.
        for (var second = 26; second <= 60; second++)
        {
            await b.StepAsync([s_everyTenSeconds], default);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // The lease a renewed last at 25 s runs out at 40 s: b sends the 30 s tick (late, within the grace) and 40 s,
        // then 50 s and 60 s: every tick once.
        Assert.Equal(6, broker.Sent.Count);
        Assert.Equal(lastByA!.Value.AddSeconds(40), await lease.GetLastTickAsync(s_everyTenSeconds.Name, default));
    }

    [Fact]
    public async Task StepAsync_LeaseHeldElsewhere_SendsNothingAndWakesToRenew()
    {
        var time = new FakeTimeProvider();
        var lease = new InMemorySchedulerLease(time);
        await lease.TryAcquireAsync("other", TimeSpan.FromMinutes(5), default);
        var broker = new RecordingBroker();
        var a = Scheduler("a", lease, broker, time);

        var wake = await a.StepAsync([s_everyTenSeconds], default);
        time.Advance(TimeSpan.FromSeconds(30));
        await a.StepAsync([s_everyTenSeconds], default);

        Assert.Empty(broker.Sent);
        Assert.Equal(time.GetUtcNow().AddSeconds(-30) + TimeSpan.FromSeconds(5), wake);
    }

    [Fact]
    public async Task TryClaimTickAsync_SameOrEarlierTick_IsRefused()
    {
        var time = new FakeTimeProvider();
        var lease = new InMemorySchedulerLease(time);
        await lease.TryAcquireAsync("a", TimeSpan.FromSeconds(15), default);
        var tick = time.GetUtcNow();

        Assert.True(await lease.TryClaimTickAsync("a", "e", tick, default));
        Assert.False(await lease.TryClaimTickAsync("a", "e", tick, default));
        Assert.False(await lease.TryClaimTickAsync("a", "e", tick.AddSeconds(-1), default));
        Assert.False(await lease.TryClaimTickAsync("b", "e", tick.AddSeconds(1), default));
    }

    private static BeatScheduler Scheduler(string owner, ISchedulerLease lease, ITaskBroker broker, TimeProvider time)
    {
        var options = new BeatOptions { Owner = owner, LeaseDuration = TimeSpan.FromSeconds(15) };
        return new BeatScheduler(lease, broker, time, Options.Create(options), NullLogger<BeatScheduler>.Instance);
    }

    private sealed class RecordingBroker : ITaskBroker
    {
        private readonly List<(TaskMessage Message, string Queue)> _sent = [];

        public IReadOnlyList<(TaskMessage Message, string Queue)> Sent => _sent;

        public ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
        {
            _sent.Add((message, queue));
            return ValueTask.CompletedTask;
        }

        public ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
