using Celeriac.Core.Beat;

namespace Celeriac.Core.Tests.Beat;

/// <summary>The scheduler's plan for one entry, as a table: on time, late within the grace, missed, and the policy.</summary>
public sealed class BeatTickTests
{
    private static readonly DateTimeOffset s_last = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_grace = TimeSpan.FromMinutes(1);

    [Theory]
    // seconds after the last tick, policy, expected tick (seconds after last; null: none), sent, next due (seconds after last)
    [InlineData(5, MissedTickPolicy.RunOnce, null, false, 10)]
    [InlineData(10, MissedTickPolicy.RunOnce, 10, true, 20)]
    [InlineData(15, MissedTickPolicy.RunOnce, 10, true, 20)]
    [InlineData(15, MissedTickPolicy.Skip, 10, true, 20)]
    [InlineData(3605, MissedTickPolicy.RunOnce, 3600, true, 3610)]
    [InlineData(3605, MissedTickPolicy.Skip, 3600, true, 3610)]
    [InlineData(3675, MissedTickPolicy.Skip, 3670, true, 3680)]
    [InlineData(45, MissedTickPolicy.Skip, 10, true, 20)]
    [InlineData(70, MissedTickPolicy.RunOnce, 10, true, 20)]
    public void Plan_IntervalOfTenSeconds_SendsAtMostTheLatestDueTick(int now, MissedTickPolicy policy, int? tick, bool send, int next)
    {
        var plan = BeatTick.Plan(PeriodicSchedule.Every(TimeSpan.FromSeconds(10)), s_last, s_last.AddSeconds(now), policy, s_grace);

        Assert.Equal(tick is { } t ? s_last.AddSeconds(t) : null, plan.Tick);
        Assert.Equal(send, plan.Send);
        Assert.Equal(s_last.AddSeconds(next), plan.NextDue);
    }

    [Theory]
    [InlineData(MissedTickPolicy.RunOnce, true)]
    [InlineData(MissedTickPolicy.Skip, false)]
    public void Plan_DailyCronMissedByHours_RunsOnceOrSkipsByPolicy(MissedTickPolicy policy, bool send)
    {
        var schedule = PeriodicSchedule.Cron("0 3 * * *");
        var last = new DateTimeOffset(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);
        var now = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

        var plan = BeatTick.Plan(schedule, last, now, policy, s_grace);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), plan.Tick);
        Assert.Equal(send, plan.Send);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero), plan.NextDue);
    }

    [Fact]
    public void Cron_WithTimeZone_TicksAtLocalTime()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var schedule = PeriodicSchedule.Cron("30 8 * * 1-5", paris);

        var next = schedule.NextAfter(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

        // Friday noon UTC: the next weekday 08:30 in Paris (UTC+1 in winter) is Monday 07:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 7, 30, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Cron_SixFields_HasSeconds()
    {
        var next = PeriodicSchedule.Cron("*/15 * * * * *").NextAfter(s_last.AddSeconds(1));

        Assert.Equal(s_last.AddSeconds(15), next);
    }
}
