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
    /// Plans one step: the latest tick at or before <paramref name="now"/> after <paramref name="last"/>, if any.
    /// Earlier missed ticks are never sent: at most one send per step, as Celery beat runs an overdue entry once.
    /// </summary>
    public static BeatTick Plan(IPeriodicSchedule schedule, DateTimeOffset last, DateTimeOffset now, MissedTickPolicy policy, TimeSpan grace)
    {
        var due = schedule.NextAfter(last);
        if (due is not { } first || first > now)
        {
            return new BeatTick(null, false, due);
        }

        var tick = first;
        for (var step = 0; step < MaxSteps && schedule.NextAfter(tick) is { } next && next <= now; step++)
        {
            tick = next;
        }

        var missed = now - tick > grace;
        return new BeatTick(tick, !missed || policy == MissedTickPolicy.RunOnce, schedule.NextAfter(tick));
    }
}
