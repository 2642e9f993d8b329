using Celeriac.Core.States;

namespace Celeriac.Core.Records;

/// <summary>
/// Where task records live. Every change goes through <see cref="ApplyAsync"/>, which runs
/// <see cref="TaskStateMachine"/> atomically per task (compare-and-set on <see cref="TaskRecord.Version"/>), so
/// two writers (two workers, a worker and the API) never lose each other's update.
/// </summary>
/// <remarks>
/// A store may apply changes asynchronously (a Durable Entity applies signals in order, later): it then
/// returns <see cref="TransitionResult.Record"/> as last read, and reads may lag behind the last change.
/// </remarks>
public interface ITaskStore
{
    /// <summary>The record, or null when the task is unknown.</summary>
    ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// True when the task's record carries a revoke request (<see cref="TaskRecord.Revoke"/>); false when it does not, or
    /// the task is unknown. A worker asks twice a task (when it receives it and when it starts it), so a store may answer
    /// without reading the whole record; by default it reads it.
    /// </summary>
    async ValueTask<bool> IsRevokeRequestedAsync(string taskId, CancellationToken cancellationToken) =>
        (await GetAsync(taskId, cancellationToken).ConfigureAwait(false))?.Revoke is not null;

    /// <summary>Applies a transition atomically and says what it did.</summary>
    ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken);

    /// <summary>A page of records matching the query, newest first.</summary>
    ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken);

    /// <summary>How many records are in each state.</summary>
    ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// True when the store applies changes in the order <see cref="ApplyAsync"/> was called, even when a caller does not
    /// wait for one change before it makes the next, and answers a change only once it and every change called before it
    /// were committed or failed. A worker then hands over a task's RECEIVED, STARTED and outcome without waiting between
    /// them, so a fast task's changes share one commit; it still acknowledges only after the outcome is durable. Default
    /// false: the worker waits for each change before it makes the next.
    /// </summary>
    bool AppliesInCallOrder => false;
}

/// <summary>Which records to list. Every filter is optional; results are newest first.</summary>
public sealed record TaskRecordQuery
{
    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>Only records in this state.</summary>
    public TaskState? State { get; init; }

    /// <summary>Only tasks of this name.</summary>
    public string? Name { get; init; }

    /// <summary>Only tasks last reported on by this worker.</summary>
    public string? Worker { get; init; }

    /// <summary>Only records created at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only records created before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Only records that carry a revoke request (true), or that do not (false).</summary>
    public bool? RevokeRequested { get; init; }

    /// <summary>Only records whose id, arguments or result contain this text.</summary>
    public string? Text { get; init; }

    /// <summary>At most this many records (1 to <see cref="MaxLimit"/>).</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Where the previous page ended (from <see cref="TaskRecordPage.NextCursor"/>).</summary>
    public string? Cursor { get; init; }
}

/// <summary>A page of records and where the next one starts.</summary>
/// <param name="Items">The records, newest first.</param>
/// <param name="NextCursor">The cursor of the next page, or null when this is the last.</param>
public sealed record TaskRecordPage(IReadOnlyList<TaskRecord> Items, string? NextCursor);
