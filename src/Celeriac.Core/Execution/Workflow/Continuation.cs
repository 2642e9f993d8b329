using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>A task message a workflow step sends, and where to.</summary>
/// <param name="Exchange">The exchange; the empty string is the default exchange.</param>
/// <param name="RoutingKey">The routing key; for the default exchange, the queue.</param>
/// <param name="Message">The task message.</param>
internal sealed record Continuation(string Exchange, string RoutingKey, TaskMessage Message);
