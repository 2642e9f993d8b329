using Celeriac.Core.Records;

namespace Celeriac.Sqlite;

/// <summary>A change waiting for the writer, and the caller waiting for its result.</summary>
internal sealed class PendingApply(string taskId, TaskTransition transition, CancellationToken cancellationToken)
{
    public string TaskId { get; } = taskId;

    public TaskTransition Transition { get; } = transition;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Completed only after the change is committed (or known not to be).</summary>
    public TaskCompletionSource<TransitionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
