using System.Text.Json;

namespace Celeriac.Core.Execution;

/// <summary>How a task's code ended, before it is mapped to an outcome.</summary>
/// <param name="Value">The return value, when it returned.</param>
/// <param name="Error">The exception, when it threw.</param>
/// <param name="Stopped">Why it was stopped before it returned (terminate, hard time limit, shutdown), when it was.</param>
/// <param name="Runtime">How long it ran until it returned, threw or was stopped.</param>
internal sealed record RunEnd(JsonElement Value, Exception? Error, TaskStopReason? Stopped, TimeSpan Runtime);
