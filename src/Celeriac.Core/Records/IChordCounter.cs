using System.Text.Json;

namespace Celeriac.Core.Records;

/// <summary>
/// Counts the finished parts of chord headers, kept beside the task records so that every worker sharing the store
/// sees the same count (Celery keeps this counter in its result backend and refuses chords on rpc://).
/// </summary>
/// <remarks>
/// Each part is recorded once per task id: a redelivered part that reports again changes nothing. Exactly one part,
/// the one whose report completed the count, is told to send the body, and it is told so again (on redelivery) until
/// it marks the body sent, so a worker that dies between the two does not lose the body.
/// </remarks>
public interface IChordCounter
{
    /// <summary>Records <paramref name="part"/> (atomically, idempotent per part id) and says where its chord stands.</summary>
    ValueTask<ChordTally> CountPartAsync(ChordPart part, CancellationToken cancellationToken);

    /// <summary>Marks the chord's body sent: later reports of its parts no longer ask for it.</summary>
    ValueTask MarkBodySentAsync(string groupId, CancellationToken cancellationToken);
}

/// <summary>A chord header part that reached a final state.</summary>
/// <param name="GroupId">The header's group id (the message's <c>group</c>).</param>
/// <param name="Size">How many parts the chord waits for.</param>
/// <param name="TaskId">The part's task id.</param>
/// <param name="Index">Its place in the header (<c>group_index</c>): the body gets the results in this order.</param>
/// <param name="Value">Its return value (SUCCESS).</param>
/// <param name="Error">Python's repr of its exception (FAILURE), or null when it succeeded.</param>
public sealed record ChordPart(string GroupId, int Size, string TaskId, int Index, JsonElement Value, string? Error)
{
    /// <summary>True when the part failed.</summary>
    public bool Failed => Error is not null;
}

/// <summary>Where a chord stands after a part was counted.</summary>
/// <param name="Finished">How many distinct parts have finished.</param>
/// <param name="Size">How many it waits for.</param>
/// <param name="SendBody">True only for the part that completed the count, while the body is not marked sent.</param>
/// <param name="Parts">Every finished part in header order; filled only when <paramref name="SendBody"/> is true.</param>
public sealed record ChordTally(int Finished, int Size, bool SendBody, IReadOnlyList<ChordPart> Parts);
