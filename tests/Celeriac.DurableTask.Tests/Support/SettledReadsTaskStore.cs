using System.Collections.Concurrent;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Testing;

namespace Celeriac.DurableTask.Tests.Support;

/// <summary>
/// Runs the store contract over a store whose reads lag: before each read it waits (with a deadline, polling the
/// inner store) until every change applied through it shows in the inner store's reads, i.e. until each task's
/// persisted version reaches the version its last applied change predicted. The read itself then goes to the inner
/// store, so the contract's assertions check what the entities really hold.
/// </summary>
internal sealed class SettledReadsTaskStore(ITaskStore inner, TimeSpan deadline) : ITaskStore
{
    private readonly ConcurrentDictionary<string, long> _expected = new(StringComparer.Ordinal);

    public async ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        await SettleAsync(cancellationToken);
        return await inner.GetAsync(taskId, cancellationToken);
    }

    public async ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        var result = await inner.ApplyAsync(taskId, transition, cancellationToken);
        if (result is { WasApplied: true, Record: { } record })
        {
            _expected.AddOrUpdate(taskId, record.Version, (_, known) => Math.Max(known, record.Version));
        }

        return result;
    }

    public async ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken)
    {
        await SettleAsync(cancellationToken);
        return await inner.QueryAsync(query, cancellationToken);
    }

    public async ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await SettleAsync(cancellationToken);
        return await inner.CountByStateAsync(cancellationToken);
    }

    // Few pending tasks: read each. Many: one listing (the entity query) answers for all, and loads the backend far less.
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        while (!_expected.IsEmpty)
        {
            var pending = _expected.ToArray();
            await Eventually.WaitAsync(async () =>
            {
                var versions = pending.Length <= 8 ? await ReadVersionsAsync(pending, cancellationToken) : await ListVersionsAsync(cancellationToken);
                return pending.All(p => versions.TryGetValue(p.Key, out var version) && version >= p.Value);
            }, deadline, $"{pending.Length} task(s) to reach the versions their changes predicted in the entity store, e.g. {pending[0].Key} version {pending[0].Value}");
            foreach (var settled in pending)
            {
                _expected.TryRemove(settled);
            }
        }
    }

    private async Task<Dictionary<string, long>> ReadVersionsAsync(KeyValuePair<string, long>[] pending, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (taskId, _) in pending)
        {
            if (await inner.GetAsync(taskId, cancellationToken) is { } record)
            {
                versions[taskId] = record.Version;
            }
        }

        return versions;
    }

    private async Task<Dictionary<string, long>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await inner.QueryAsync(new TaskRecordQuery { Limit = TaskRecordQuery.MaxLimit, Cursor = cursor }, cancellationToken);
            foreach (var record in page.Items)
            {
                versions[record.Id] = record.Version;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return versions;
    }
}
