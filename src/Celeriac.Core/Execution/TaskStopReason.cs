namespace Celeriac.Core.Execution;

/// <summary>
/// Why a task's cancellation token was signalled. Each reason ends differently, which is why they are
/// told apart: a revoke or a time limit is the task's outcome, a shutdown is not.
/// </summary>
public enum TaskStopReason
{
    /// <summary>Revoked with terminate: the task ends REVOKED ('terminated').</summary>
    Terminated,

    /// <summary>The hard time limit passed: the task ends FAILURE (TimeLimitExceeded).</summary>
    TimeLimit,

    /// <summary>
    /// The worker is shutting down and the grace period is over: the message goes back to the queue and
    /// another worker runs the task from the start. No result is published.
    /// </summary>
    Shutdown,
}
