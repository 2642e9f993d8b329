using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;

namespace Celeriac.Records.Testing;

/// <summary>Transitions as the API and workers send them, at fixed times (seconds after <see cref="T0"/>).</summary>
public static class Tasks
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public static JsonElement Json(string text) => JsonElement.Parse(text);

    public static TaskDescription Description(string name = "tasks.add", string args = "[2, 3]", string kwargs = "{}") =>
        new(name, Json(args), Json(kwargs));

    public static TaskAccepted Accepted(double at, string name = "tasks.add", string args = "[2, 3]", string kwargs = "{}") =>
        new(At(at), Description(name, args, kwargs));

    public static TaskReceived Received(double at, string worker = "celery@a", string name = "tasks.add", string args = "[2, 3]") =>
        new(At(at), worker, Description(name, args));

    public static TaskStarted Started(double at, string worker = "celery@a") => new(At(at), worker);

    public static TaskFinished Succeeded(double at, string result = "5", double runtime = 0.25, string worker = "celery@a") =>
        new(At(at), worker, TaskOutcome.Success(Json(result), TimeSpan.FromSeconds(runtime)));

    public static TaskFinished Failed(double at, string message = "boom", string worker = "celery@a") =>
        new(At(at), worker, TaskOutcome.Failure(TaskError.Create("ValueError", message, "builtins"), "Traceback (most recent call last):\n  ValueError: " + message, TimeSpan.FromSeconds(1.5)));

    public static TaskFinished Revoked(double at) => new(At(at), "celery@a", TaskOutcome.Revoked(RevokeReason.Revoked));

    public static TaskRevokeRequested RevokeRequested(double at, bool terminate = false) => new(At(at), terminate);

    public static TaskRetried Retried(double at, string worker = "celery@a") =>
        new(At(at), worker, TaskError.Create("ConnectionError", "try later", "builtins"), "Traceback: ConnectionError");

    /// <summary>Applies each transition in turn and returns the last result; fails if any was ignored.</summary>
    public static async Task<TransitionResult> ApplyAllAsync(this ITaskStore store, string taskId, params TaskTransition[] transitions)
    {
        TransitionResult? last = null;
        foreach (var transition in transitions)
        {
            last = await store.ApplyAsync(taskId, transition, CancellationToken.None);
            Assert.True(last.WasApplied, $"{transition.GetType().Name} on {taskId} was ignored: {last.Reason}");
        }

        return last!;
    }
}
