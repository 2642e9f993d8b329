using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Diagnostics;

/// <summary>Counts every task that finishes on this worker (run or discarded) and records its runtime, for <see cref="TaskTelemetry"/>.</summary>
internal sealed class TaskMetricsObserver : ITaskObserver
{
    public ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnStartedAsync(TaskMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(outcome);
        TaskTelemetry.RecordFinished(message.Name, outcome.State.ToWireName(), outcome.Runtime);
        return ValueTask.CompletedTask;
    }
}
