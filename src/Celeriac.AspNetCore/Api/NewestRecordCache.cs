using System.Collections.Concurrent;
using Celeriac.Core.Records;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The newest record version the API has seen per task. A store whose reads lag behind its writes (a Durable
/// Entity applies a signal about half a second later) must never make the API report a state that goes
/// backwards, nor a 404 for a task it has just accepted. Bounded: past <see cref="Capacity"/> ids it starts over,
/// which only gives up that protection for tasks older than the newest <see cref="Capacity"/>.
/// </summary>
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

        return _newest.AddOrUpdate(record.Id, record, (_, known) => known.Version > record.Version ? known : record);
    }
}
