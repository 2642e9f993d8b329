namespace Celeriac.Core.Execution;

/// <summary>What a worker does with a task's ETA.</summary>
internal enum EtaPlan
{
    /// <summary>No ETA, or it has come: run it as soon as a slot is free.</summary>
    RunNow,

    /// <summary>Due within <see cref="WorkerOptions.EtaHoldLimit"/>: keep it (unacknowledged) until then.</summary>
    Hold,

    /// <summary>Due later: hand it to the broker to come back when due, and acknowledge it.</summary>
    Defer,
}

/// <summary>Decides the <see cref="EtaPlan"/>: a pure function of the ETA, the time and the hold limit.</summary>
internal static class EtaPlanner
{
    public static EtaPlan Plan(DateTimeOffset? eta, DateTimeOffset now, TimeSpan holdLimit) => eta switch
    {
        null => EtaPlan.RunNow,
        { } due when due <= now => EtaPlan.RunNow,
        { } due when due - now <= holdLimit => EtaPlan.Hold,
        _ => EtaPlan.Defer,
    };
}
