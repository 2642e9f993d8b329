using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>
/// What a chord header part does when it ends (Celery's <c>on_chord_part_return</c>): it is counted in the store's
/// <see cref="IChordCounter"/>, and the part that completes the count sends the body with every part's result in
/// header order (<c>group_index</c>). When a part failed, the body is not run: it is reported FAILURE with
/// <c>ChordError('Dependency &lt;id&gt; raised &lt;exc&gt;')</c> and its errbacks are sent, as Celery's
/// <c>chord_error_from_stack</c> does.
/// </summary>
/// <remarks>
/// The chord's size comes from the body signature's <c>chord_size</c> (the key Celery's own backend reads). Runs,
/// like the rest of the continuation, before the part is acknowledged: the body is marked sent only after the broker
/// confirmed it, so a crash in between redelivers the completing part, which sends the body again under the same id.
/// </remarks>
internal sealed class ChordCompletion(IChordCounter? counter, TimeProvider time, ILogger logger)
{
    /// <summary>Counts <paramref name="message"/>'s outcome and returns what to send (an empty plan while parts are missing).</summary>
    public async Task<(WorkflowPlan Plan, TaskOutcome Outcome)?> OnPartReturnedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        if (counter is null)
        {
            Log.ChordNotRun(logger, message.DisplayName, message.Id);
            return null;
        }

        var body = Signature.Parse(message.Embed.Chord!.Value);
        var size = body.Raw.TryGetProperty("chord_size", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : (int?)null;
        if (size is not > 0 || string.IsNullOrEmpty(message.GroupId))
        {
            Log.ChordSizeUnknown(logger, message.DisplayName, message.Id);
            return null;
        }

        var part = new ChordPart(message.GroupId, size.Value, message.Id, message.GroupIndex ?? 0, outcome.Value,
            outcome.State == TaskState.Success ? null : outcome.Error?.Repr ?? "Exception()");
        var tally = await counter.CountPartAsync(part, cancellationToken);
        Log.ChordPartCounted(logger, message.DisplayName, message.Id, message.GroupId, tally.Finished, tally.Size);
        if (!tally.SendBody)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (tally.Parts.FirstOrDefault(static p => p.Failed) is { } culprit)
        {
            // chord_error_from_stack: the body's errbacks run with its id and the body is stored failed; it never runs.
            var bodyId = body.GetString("task_id") ?? WorkflowIds.Derive(message.Id, "chord");
            var error = TaskError.Create("ChordError", $"Dependency {culprit.TaskId} raised {culprit.Error}", "celery.exceptions");
            var failed = new TaskMessage
            {
                Id = bodyId,
                Name = body.Task,
                Embed = new TaskEmbed(null, body.GetOption("link_error"), null, null),
                RootId = message.RootId,
                ParentId = message.Id,
            };
            var errbacks = WorkflowPlanner.OnFailure(failed, now);
            var abandoned = body.GetString("reply_to") is { Length: > 0 } replyTo ? new[] { new AbandonedChainTask(bodyId, replyTo) } : [];
            Log.ChordFailed(logger, message.GroupId, bodyId, culprit.TaskId);
            return (errbacks with { Abandoned = [.. errbacks.Abandoned, .. abandoned] }, TaskOutcome.Failure(error, traceback: null, runtime: null));
        }

        var results = WorkflowPlanner.ToArray(tally.Parts.Select(static p => p.Value));
        return (WorkflowPlanner.OnChordComplete(message, body, results, now), outcome);
    }

    /// <summary>Marks the body of <paramref name="message"/>'s chord sent, once its messages are confirmed.</summary>
    public ValueTask MarkSentAsync(TaskMessage message, CancellationToken cancellationToken) =>
        counter!.MarkBodySentAsync(message.GroupId!, cancellationToken);
}
