using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;

namespace Celeriac.Core.Execution;

/// <summary>
/// Maps how a task's code ended to the outcome its caller sees: a pure function, so every case (returned, threw,
/// cancelled by a terminate, a time limit or a shutdown) is tested as a table.
/// </summary>
internal static class OutcomeMapping
{
    /// <summary>
    /// The outcome, or null when the task must go back to the queue instead (stopped by a shutdown: another worker
    /// runs it; never a failure).
    /// </summary>
    /// <param name="end">How the code ended.</param>
    /// <param name="stopReason">Why the task was stopped, if it was (the code may have returned or thrown because of it).</param>
    /// <param name="softLimitExceeded">Whether the soft time limit cancelled its token.</param>
    /// <param name="limits">The task's time limits in seconds, for the error messages.</param>
    /// <param name="terminateSignal">The signal a terminate asked for.</param>
    public static TaskOutcome? Map(RunEnd end, TaskStopReason? stopReason, bool softLimitExceeded, TimeLimits limits, int terminateSignal)
    {
        ArgumentNullException.ThrowIfNull(end);
        var reason = end.Stopped ?? (end.Error is OperationCanceledException ? stopReason : null);
        if (reason is { } stopped)
        {
            return stopped switch
            {
                TaskStopReason.Shutdown => null,
                TaskStopReason.TimeLimit => TaskOutcome.Failure(TaskError.TimeLimitExceeded(limits.Hard ?? 0), null, null),
                _ => TaskOutcome.Revoked(RevokeReason.Terminated, terminateSignal),
            };
        }

        return end.Error switch
        {
            null => TaskOutcome.Success(end.Value, end.Runtime),
            OperationCanceledException when softLimitExceeded =>
                TaskOutcome.Failure(TaskError.SoftTimeLimitExceeded(limits.Soft ?? 0), TaskTraceback.Format(end.Error), end.Runtime),
            TaskArgumentException misfit => TaskOutcome.Failure(TaskError.TypeError(misfit.Message), TaskTraceback.Format(misfit), end.Runtime),
            { } error => TaskOutcome.Failure(TaskError.FromException(error), TaskTraceback.Format(error), end.Runtime),
        };
    }
}

/// <summary>A task's time limits in seconds: the message's, else the task's own; null when it has none.</summary>
/// <param name="Soft">Cancels the token; the task may catch it and still finish.</param>
/// <param name="Hard">Stops the task and fails it with TimeLimitExceeded.</param>
internal sealed record TimeLimits(double? Soft, double? Hard)
{
    public static TimeLimits Of(TaskMessage message, TaskDefinition definition) => new(
        message.SoftTimeLimit ?? definition.Options.SoftTimeLimit?.TotalSeconds,
        message.TimeLimit ?? definition.Options.TimeLimit?.TotalSeconds);
}
