using Celeriac.Core.States;

namespace Celeriac.Core.Records;

/// <summary>Task records in memory: for tests and throwaway runs. Every operation holds one lock, so applies are atomic.</summary>
public sealed class InMemoryTaskStore : ITaskStore
{
    private readonly Dictionary<string, TaskRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_records.GetValueOrDefault(taskId));
        }
    }

    /// <inheritdoc />
    public ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var result = TaskStateMachine.Apply(_records.GetValueOrDefault(taskId), taskId, transition);
            if (result.WasApplied)
            {
                _records[taskId] = result.Record!;
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var cursor = query.Cursor is { } c ? TaskRecordCursor.Parse(c) : null;
        var limit = Math.Clamp(query.Limit, 1, TaskRecordQuery.MaxLimit);
        List<TaskRecord> matches;
        lock (_lock)
        {
            matches = _records.Values
                .Where(r => TaskRecordFilter.Matches(r, query) && (cursor is null || cursor.IsBefore(r)))
                .OrderByDescending(r => r.Timeline.Created)
                .ThenByDescending(r => r.Id, StringComparer.Ordinal)
                .Take(limit + 1)
                .ToList();
        }

        var next = matches.Count > limit ? TaskRecordCursor.After(matches[limit - 1]).ToString() : null;
        return ValueTask.FromResult(new TaskRecordPage(matches.Take(limit).ToArray(), next));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<TaskState, long> counts = _records.Values.GroupBy(r => r.State).ToDictionary(g => g.Key, g => (long)g.Count());
            return ValueTask.FromResult(counts);
        }
    }
}
