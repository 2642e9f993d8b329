using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Diagnostics;

/// <summary>
/// Counts every task that finishes on this worker (run or discarded) and records its runtime, for <see cref="TaskTelemetry"/>;
/// a run that ends in a retry is counted as RETRY (its republished run is counted again when it ends).
/// </summary>
internal sealed class TaskMetricsObserver : ITaskObserver
{
    public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(outcome);
        TaskTelemetry.RecordFinished(message.Name, outcome.State.ToWireName(), outcome.Runtime);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        TaskTelemetry.RecordFinished(message.Name, TaskState.Retry.ToWireName(), runtime: null);
        return ValueTask.CompletedTask;
    }
}
