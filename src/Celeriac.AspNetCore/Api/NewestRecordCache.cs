using System.Collections.Concurrent;
using Celeriac.Core.Records;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The newest record version the API has seen per task. A store whose reads lag behind its writes (a Durable
/// Entity applies a signal about half a second later) must never make the API report a state that goes
/// backwards, nor a 404 for a task it has just accepted. Bounded: past <see cref="Capacity"/> ids it starts over,
/// which only gives up that protection for tasks older than the newest <see cref="Capacity"/>.
/// </summary>
/// <remarks>
/// It holds ids, versions and states, never payloads: arguments, results and tracebacks are dropped before a record
/// goes in (with 1 MB arguments, 10,000 full records would hold 10 GB). When the remembered version is newer than the
/// store's read, the answer is the remembered record with the payloads of the store's read, which are the same
/// arguments (they never change) and at worst a result that is not in yet; when the store knows nothing yet, the
/// answer has no payloads.
/// </remarks>
internal sealed class NewestRecordCache
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, TaskRecord> _newest = new(StringComparer.Ordinal);

    /// <summary>The newer of <paramref name="record"/> and the one seen before for its id; null when both are unknown.</summary>
    public TaskRecord? Newest(string taskId, TaskRecord? record)
    {
        if (record is null)
        {
            return _newest.TryGetValue(taskId, out var known) ? known : null;
        }

        if (_newest.Count >= Capacity)
        {
            _newest.Clear();
        }

        var kept = _newest.AddOrUpdate(record.Id, static (_, r) => WithoutPayloads(r), static (_, known, r) => known.Version > r.Version ? known : WithoutPayloads(r), record);
        return kept.Version > record.Version
            ? kept with { Args = record.Args, Kwargs = record.Kwargs, Result = record.Result, Traceback = record.Traceback }
            : record;
    }

    private static TaskRecord WithoutPayloads(TaskRecord record) => record with { Args = null, Kwargs = null, Result = null, Traceback = null };
}
