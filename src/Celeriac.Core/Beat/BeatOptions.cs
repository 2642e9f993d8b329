namespace Celeriac.Core.Beat;

/// <summary>Settings of <c>celeriac beat</c>: the schedule, and how beat processes share it.</summary>
public sealed class BeatOptions
{
    /// <summary>Entries declared in code (<c>AddPeriodicTask</c>).</summary>
    public IList<PeriodicTask> Tasks { get; } = [];

    /// <summary>Entries from configuration, by name (<c>Celeriac:Beat:Schedule</c>).</summary>
    public IDictionary<string, PeriodicTaskSettings> Schedule { get; } = new Dictionary<string, PeriodicTaskSettings>(StringComparer.Ordinal);

    /// <summary>
    /// How long the lease lasts unless renewed. A scheduler renews it at a third of this; when its holder dies,
    /// another beat takes over within this time. Default 15 s.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>What happens to ticks that passed while no scheduler ran. Default: <see cref="MissedTickPolicy.RunOnce"/>.</summary>
    public MissedTickPolicy MissedTicks { get; set; } = MissedTickPolicy.RunOnce;

    /// <summary>
    /// A tick sent later than this after its time counts as missed (and with <see cref="MissedTickPolicy.Skip"/> is
    /// not sent). Default 1 minute.
    /// </summary>
    public TimeSpan MissedTickGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>This scheduler's name in the lease; unique per process by default.</summary>
    public string Owner { get; set; } = $"beat@{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Every entry, code first, then configuration.</summary>
    /// <exception cref="FormatException">A configured entry is malformed.</exception>
    public IReadOnlyList<PeriodicTask> ResolveEntries() =>
        [.. Tasks, .. Schedule.Select(e => e.Value.ToPeriodicTask(e.Key))];
}
