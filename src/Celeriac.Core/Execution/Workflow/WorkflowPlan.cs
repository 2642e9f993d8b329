namespace Celeriac.Core.Execution.Workflow;

/// <summary>What a finished task's workflow asks for.</summary>
/// <param name="Messages">Tasks to send before the finished one is acknowledged.</param>
/// <param name="Abandoned">Chain elements to report failed (after a FAILURE).</param>
/// <param name="Unsupported">Canvas types the worker cannot run (a chord), named for the log.</param>
internal sealed record WorkflowPlan(IReadOnlyList<Continuation> Messages, IReadOnlyList<AbandonedChainTask> Abandoned, IReadOnlyList<string> Unsupported)
{
    public static WorkflowPlan Empty { get; } = new([], [], []);

    public bool IsEmpty => Messages.Count == 0 && Abandoned.Count == 0 && Unsupported.Count == 0;
}
