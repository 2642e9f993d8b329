using Cronos;

namespace Celeriac.Core.Beat;

/// <summary>Creates schedules for <see cref="PeriodicTask"/>.</summary>
public static class PeriodicSchedule
{
    /// <summary>
    /// A tick every <paramref name="interval"/>, counted from the previous tick (from when the scheduler first ran
    /// the entry, for its first one), as Celery's <c>schedule(timedelta)</c>.
    /// </summary>
    public static IPeriodicSchedule Every(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return new IntervalSchedule(interval);
    }

    /// <summary>
    /// Ticks at the times a cron expression matches (five fields, or six with seconds first), in
    /// <paramref name="timeZone"/> (default UTC), as Celery's <c>crontab</c>; daylight-saving changes follow Cronos'
    /// rules: a skipped time runs once at the transition, a repeated one once.
    /// </summary>
    /// <exception cref="FormatException">The expression is not valid cron.</exception>
    public static IPeriodicSchedule Cron(string expression, TimeZoneInfo? timeZone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var parsed = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        return new CronSchedule(expression, parsed, timeZone ?? TimeZoneInfo.Utc);
    }

    private sealed class IntervalSchedule(TimeSpan interval) : IPeriodicSchedule
    {
        public DateTimeOffset? NextAfter(DateTimeOffset time) => time + interval;

        public override string ToString() => $"<freq: {interval.TotalSeconds:0.##}s>";
    }

    private sealed class CronSchedule(string text, CronExpression expression, TimeZoneInfo zone) : IPeriodicSchedule
    {
        public DateTimeOffset? NextAfter(DateTimeOffset time) => expression.GetNextOccurrence(time, zone, inclusive: false);

        public override string ToString() => $"<crontab: {text} ({zone.Id})>";
    }
}
