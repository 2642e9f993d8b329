namespace Celeriac.Core.Beat;

/// <summary>
/// What the scheduler does next for one entry, a pure function of its schedule, its last tick and the time.
/// </summary>
/// <param name="Tick">The tick to claim now, or null when none is due.</param>
/// <param name="Send">Whether to send the claimed tick (false: a missed tick skipped by policy, recorded as done).</param>
/// <param name="NextDue">When the entry is due after this step, or null when its schedule ends.</param>
internal readonly record struct BeatTick(DateTimeOffset? Tick, bool Send, DateTimeOffset? NextDue)
{
    // A bound on stepping through missed ticks one by one (a 1 s interval down for 11 days).
    private const int MaxSteps = 1_000_000;

    /// <summary>
    /// Plans one step. The earliest tick not yet sent is sent when it is at most <paramref name="grace"/> late, so a
    /// slow send or a takeover within the grace sends every tick, once, in order. When it is later than that, the
    /// ticks that passed are missed: they are coalesced into the latest one at or before <paramref name="now"/>, which
    /// <see cref="MissedTickPolicy.RunOnce"/> sends (Celery beat runs an overdue entry once) and
    /// <see cref="MissedTickPolicy.Skip"/> sends only if it is itself within the grace.
    /// </summary>
    public static BeatTick Plan(IPeriodicSchedule schedule, DateTimeOffset last, DateTimeOffset now, MissedTickPolicy policy, TimeSpan grace)
    {
        var due = schedule.NextAfter(last);
        if (due is not { } first || first > now)
        {
            return new BeatTick(null, false, due);
        }

        if (now - first <= grace)
        {
            return new BeatTick(first, true, schedule.NextAfter(first));
        }

        var tick = first;
        for (var step = 0; step < MaxSteps && schedule.NextAfter(tick) is { } next && next <= now; step++)
        {
            tick = next;
        }

        var fresh = now - tick <= grace;
        return new BeatTick(tick, fresh || policy == MissedTickPolicy.RunOnce, schedule.NextAfter(tick));
    }
}
