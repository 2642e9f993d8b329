namespace Celeriac.Core.Beat;

/// <summary>
/// Where beat processes agree on who sends: a lease that one owner holds at a time, and the last tick sent of each
/// entry, both changed only by compare-and-set. A tick is claimed only by the lease's current holder and only when
/// no later-or-equal tick was claimed, so one tick is sent by at most one process even when a lease changes hands
/// while its old holder is paused.
/// </summary>
public interface ISchedulerLease
{
    /// <summary>
    /// Takes the lease when it is free or expired, or renews it when <paramref name="owner"/> holds it; it then lasts
    /// <paramref name="duration"/>. True when <paramref name="owner"/> holds it now.
    /// </summary>
    ValueTask<bool> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="owner"/> holds it, so another scheduler takes over at once.</summary>
    ValueTask ReleaseAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The last tick claimed for an entry, or null when none ever was.</summary>
    ValueTask<DateTimeOffset?> GetLastTickAsync(string entry, CancellationToken cancellationToken);

    /// <summary>
    /// Claims tick <paramref name="tick"/> of an entry for <paramref name="owner"/>: true only when it holds an
    /// unexpired lease and the entry's last claimed tick is earlier. Claimed before the task is sent: a crash in
    /// between loses that one tick rather than sending it twice.
    /// </summary>
    ValueTask<bool> TryClaimTickAsync(string owner, string entry, DateTimeOffset tick, CancellationToken cancellationToken);
}
