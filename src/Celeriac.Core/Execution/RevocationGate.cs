using Celeriac.Core.Protocol;
using Celeriac.Core.Revocation;

namespace Celeriac.Core.Execution;

/// <summary>Says whether a task must be discarded instead of run: revoked, or past its <c>expires</c> time.</summary>
internal sealed class RevocationGate(IRevokedTasks revoked, TimeProvider time)
{
    /// <summary>Why the task must not run, or null when it may. An expired task is remembered as revoked, as Celery does.</summary>
    public async Task<RevokeReason?> CheckAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        if (message.Expires is { } expires && expires <= time.GetUtcNow())
        {
            await revoked.AddAsync([message.Id], cancellationToken);
            return RevokeReason.Expired;
        }

        return await revoked.IsRevokedAsync(message.Id, cancellationToken) ? RevokeReason.Revoked : null;
    }
}
