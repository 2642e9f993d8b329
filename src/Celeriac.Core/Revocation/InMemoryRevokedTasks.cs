using Microsoft.Extensions.Options;

namespace Celeriac.Core.Revocation;

/// <summary>Revokes kept in memory only: lost when the process stops. For tests and ephemeral workers.</summary>
public sealed class InMemoryRevokedTasks : IRevokedTasks
{
    private readonly RevokedTaskSet _set;
    private readonly TimeProvider _time;

    /// <summary>Creates the set.</summary>
    public InMemoryRevokedTasks(IOptions<RevocationOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _set = new RevokedTaskSet(options.Value.MaxEntries, options.Value.RetainFor);
        _time = time;
    }

    /// <inheritdoc />
    public ValueTask<bool> IsRevokedAsync(string taskId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_set.Contains(taskId, _time.GetUtcNow()));

    /// <inheritdoc />
    public ValueTask AddAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var now = _time.GetUtcNow();
        foreach (var id in taskIds)
        {
            _set.Add(id, now);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyCollection<string>>(_set.Snapshot(_time.GetUtcNow()).Select(e => e.Key).ToArray());
}
