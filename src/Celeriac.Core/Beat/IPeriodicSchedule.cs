namespace Celeriac.Core.Beat;

/// <summary>When a periodic task is due: an interval (<see cref="PeriodicSchedule.Every"/>) or a cron expression (<see cref="PeriodicSchedule.Cron"/>).</summary>
public interface IPeriodicSchedule
{
    /// <summary>The first tick strictly after <paramref name="time"/>, or null when there is none.</summary>
    DateTimeOffset? NextAfter(DateTimeOffset time);
}
