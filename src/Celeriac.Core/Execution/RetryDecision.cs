namespace Celeriac.Core.Execution;

/// <summary>What <see cref="RetryPlanner"/> decided for a failed run: retry it, or fail it with this outcome.</summary>
/// <param name="Retry">The retry to publish, when there is one.</param>
/// <param name="GiveUp">The FAILURE to report instead, when no retry is left.</param>
internal sealed record RetryDecision(TaskRetry? Retry, TaskOutcome? GiveUp);
