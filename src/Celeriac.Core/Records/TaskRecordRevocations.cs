using Celeriac.Core.Revocation;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Records;

/// <summary>
/// Revokes kept on the task's record, so they reach every worker that checks the record, including workers
/// that were offline or restarted when the revoke was made. Revokes a worker hears over remote control
/// (from a Celery client) are written to the record too, and cached in memory for <c>inspect().revoked()</c>.
/// </summary>
public sealed class TaskRecordRevocations : IRevokedTasks
{
    private readonly ITaskStore _store;
    private readonly InMemoryRevokedTasks _seen;
    private readonly TimeProvider _time;

    /// <summary>Creates the revocation set over a store.</summary>
    public TaskRecordRevocations(ITaskStore store, IOptions<RevocationOptions> options, TimeProvider time)
    {
        _store = store;
        _seen = new InMemoryRevokedTasks(options, time);
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsRevokedAsync(string taskId, CancellationToken cancellationToken) =>
        await _seen.IsRevokedAsync(taskId, cancellationToken) || await _store.IsRevokeRequestedAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public ValueTask AddAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken) =>
        AddAsync(taskIds, terminate: false, cancellationToken);

    /// <inheritdoc />
    public async ValueTask AddAsync(IReadOnlyCollection<string> taskIds, bool terminate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        await _seen.AddAsync(taskIds, cancellationToken);
        foreach (var id in taskIds)
        {
            await _store.ApplyAsync(id, new TaskRevokeRequested(_time.GetUtcNow(), terminate), cancellationToken);
        }
    }

    /// <summary>
    /// The revokes this worker heard, and the newest revokes kept on records (so a restarted worker still lists
    /// them, as Celery's <c>--statedb</c> does), at most <see cref="TaskRecordQuery.MaxLimit"/> of those.
    /// </summary>
    public async ValueTask<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken)
    {
        var recorded = await _store.QueryAsync(new TaskRecordQuery { RevokeRequested = true, Limit = TaskRecordQuery.MaxLimit }, cancellationToken);
        return (await _seen.ListAsync(cancellationToken)).Union(recorded.Items.Select(r => r.Id), StringComparer.Ordinal).ToArray();
    }
}
