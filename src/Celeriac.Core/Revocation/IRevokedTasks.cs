namespace Celeriac.Core.Revocation;

/// <summary>
/// The ids of revoked tasks this worker honours. A task whose id is here is discarded when it arrives and
/// again just before it starts.
/// </summary>
public interface IRevokedTasks
{
    /// <summary>True when the task was revoked.</summary>
    ValueTask<bool> IsRevokedAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Records revokes; returns once they are stored (durably, for durable implementations).</summary>
    ValueTask AddAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken);

    /// <summary>
    /// Records revokes and whether they asked to terminate running tasks. Sets that keep only ids ignore
    /// <paramref name="terminate"/>; a task record keeps it.
    /// </summary>
    ValueTask AddAsync(IReadOnlyCollection<string> taskIds, bool terminate, CancellationToken cancellationToken) => AddAsync(taskIds, cancellationToken);

    /// <summary>The revoked ids, for <c>inspect().revoked()</c>.</summary>
    ValueTask<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken);
}
