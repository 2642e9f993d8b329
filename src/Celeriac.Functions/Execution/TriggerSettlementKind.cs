namespace Celeriac.Functions.Execution;

/// <summary>How a trigger delivery was settled.</summary>
internal enum TriggerSettlementKind
{
    /// <summary>Not yet.</summary>
    None,

    /// <summary>Done with: the function returns and the listener acks.</summary>
    Acked,

    /// <summary>To run again: the function throws and the listener republishes it.</summary>
    Requeued,
}
