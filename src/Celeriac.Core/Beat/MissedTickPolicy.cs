namespace Celeriac.Core.Beat;

/// <summary>What the scheduler does with the ticks of an entry that passed while no scheduler ran.</summary>
public enum MissedTickPolicy
{
    /// <summary>
    /// Send the entry once, now, for the latest missed tick, then go on from there: Celery beat's behaviour (an entry
    /// past due runs once, not once per missed tick). The default.
    /// </summary>
    RunOnce,

    /// <summary>Send nothing for missed ticks: the next tick after now is the next one sent.</summary>
    Skip,
}
