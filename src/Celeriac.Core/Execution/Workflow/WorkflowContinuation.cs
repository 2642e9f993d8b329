using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>
/// Sends what follows a finished task (<see cref="WorkflowPlanner"/>): its callbacks and next chain step after SUCCESS,
/// its errbacks after FAILURE; for a chord header part, the chord's body once every part is counted
/// (<see cref="ChordCompletion"/>). Runs before the finished task's message is acknowledged and waits for the broker's
/// confirms, so a continuation is never lost: a crash before the ack redelivers the task, which runs again and sends
/// its continuation again (at-least-once; the ids are the same, see <see cref="WorkflowIds"/>).
/// </summary>
internal sealed class WorkflowContinuation(IMessagePublisher publisher, TimeProvider time, bool persistentResults, ILogger logger, IChordCounter? chords = null)
{
    private readonly ChordCompletion _chord = new(chords, time, logger);

    /// <summary>Sends the continuation of <paramref name="message"/>; throws when the broker refused a part of it.</summary>
    public async Task ContinueAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        if (!message.Embed.HasWork)
        {
            return;
        }

        if (outcome.State is not (TaskState.Success or TaskState.Failure))
        {
            // A revoked (or expired) chord part still counts, as a failed one: Celery's mark_as_revoked reports it to
            // on_chord_part_return too, so the chord fails instead of waiting forever. Nothing else follows it.
            if (outcome.State == TaskState.Revoked && message.Embed.Chord is { ValueKind: JsonValueKind.Object })
            {
                await ContinueChordAsync(message, outcome, cancellationToken);
            }

            return;
        }

        WorkflowPlan plan;
        try
        {
            plan = outcome.State == TaskState.Success
                ? WorkflowPlanner.OnSuccess(message, outcome.Value, time.GetUtcNow())
                : WorkflowPlanner.OnFailure(message, time.GetUtcNow());
        }
        catch (FormatException ex)
        {
            // Not thrown on: a workflow that can never be read must not send the task back to the queue forever.
            Log.WorkflowUnreadable(logger, message.DisplayName, message.Id, ex.Message);
            return;
        }

        await SendAsync(message, plan, outcome, cancellationToken);
        if (message.Embed.Chord is { ValueKind: JsonValueKind.Object })
        {
            await ContinueChordAsync(message, outcome, cancellationToken);
        }
    }

    private async Task ContinueChordAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        (WorkflowPlan Plan, TaskOutcome Outcome)? body;
        try
        {
            body = await _chord.OnPartReturnedAsync(message, outcome, cancellationToken);
        }
        catch (FormatException ex)
        {
            Log.WorkflowUnreadable(logger, message.DisplayName, message.Id, ex.Message);
            return;
        }

        if (body is { } send)
        {
            await SendAsync(message, send.Plan, send.Outcome, cancellationToken);
            await _chord.MarkSentAsync(message, cancellationToken);
        }
    }

    private async Task SendAsync(TaskMessage message, WorkflowPlan plan, TaskOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var type in plan.Unsupported.Distinct(StringComparer.Ordinal))
        {
            Log.CanvasTypeNotRun(logger, message.DisplayName, message.Id, type);
        }

        var sends = new List<Task>(plan.Messages.Count + plan.Abandoned.Count);
        foreach (var next in plan.Messages)
        {
            Log.WorkflowTaskSent(logger, message.DisplayName, message.Id, next.Message.Name, next.Message.Id);
            sends.Add(publisher.PublishAsync(new OutgoingMessage(next.Exchange, next.RoutingKey, TaskMessageCodec.Encode(next.Message)), cancellationToken).AsTask());
        }

        foreach (var abandoned in plan.Abandoned)
        {
            var result = outcome.ToResult(abandoned.TaskId).ToMessage(abandoned.ReplyTo, abandoned.TaskId, persistentResults);
            sends.Add(publisher.PublishAsync(result, cancellationToken).AsTask());
        }

        await Task.WhenAll(sends);
    }
}
