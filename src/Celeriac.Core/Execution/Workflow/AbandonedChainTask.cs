namespace Celeriac.Core.Execution.Workflow;

/// <summary>A chain step that will never run because an earlier task failed: Celery stores the failure under its id too.</summary>
/// <param name="TaskId">The chain step's (frozen) task id.</param>
/// <param name="ReplyTo">Its rpc:// reply queue.</param>
internal sealed record AbandonedChainTask(string TaskId, string ReplyTo);
