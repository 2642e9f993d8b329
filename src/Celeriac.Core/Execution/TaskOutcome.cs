using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;

namespace Celeriac.Core.Execution;

/// <summary>Why a task ended up REVOKED.</summary>
public enum RevokeReason
{
    /// <summary>Revoked before it started: discarded without running.</summary>
    Revoked,

    /// <summary>Revoked with terminate while running: stopped.</summary>
    Terminated,

    /// <summary>Its <c>expires</c> time passed before it started.</summary>
    Expired,
}

/// <summary>How a task ended: SUCCESS with a value, FAILURE with an error, or REVOKED.</summary>
public sealed record TaskOutcome
{
    /// <summary>SUCCESS, FAILURE or REVOKED.</summary>
    public required TaskState State { get; init; }

    /// <summary>The return value (SUCCESS).</summary>
    public JsonElement Value { get; init; } = CeleryJson.Null;

    /// <summary>The error (FAILURE, REVOKED).</summary>
    public TaskError? Error { get; init; }

    /// <summary>The traceback (FAILURE): the .NET exception's text with its stack trace.</summary>
    public string? Traceback { get; init; }

    /// <summary>How long the task ran, when it ran.</summary>
    public TimeSpan? Runtime { get; init; }

    /// <summary>
    /// When the task's code ended, when it ran: the outcome is reported later (after the STARTED report and the chain's
    /// next steps), so observers stamp the outcome with this. Unset, they use the time they are told.
    /// </summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why it was revoked (REVOKED).</summary>
    public RevokeReason? RevokeReason { get; init; }

    /// <summary>The signal number reported for a termination (15 = SIGTERM, 9 = SIGKILL).</summary>
    public int? Signal { get; init; }

    /// <summary>A successful outcome.</summary>
    public static TaskOutcome Success(JsonElement value, TimeSpan runtime) =>
        new() { State = TaskState.Success, Value = value, Runtime = runtime };

    /// <summary>A failed outcome.</summary>
    public static TaskOutcome Failure(TaskError error, string? traceback, TimeSpan? runtime) =>
        new() { State = TaskState.Failure, Error = error, Traceback = traceback, Runtime = runtime };

    /// <summary>A revoked outcome.</summary>
    public static TaskOutcome Revoked(RevokeReason reason, int? signal = null) => new()
    {
        State = TaskState.Revoked,
        RevokeReason = reason,
        Signal = reason == Execution.RevokeReason.Terminated ? signal ?? Signals.SigTerm : null,
        Error = TaskError.Revoked(reason switch
        {
            Execution.RevokeReason.Terminated => "terminated",
            Execution.RevokeReason.Expired => "expired",
            _ => "revoked",
        }),
    };

    /// <summary>The result message for the rpc:// backend.</summary>
    public TaskResult ToResult(string taskId) => new() { TaskId = taskId, State = State, Value = Value, Error = Error, Traceback = Traceback };
}

/// <summary>The POSIX signal names Celery's revoke accepts, and their numbers.</summary>
public static class Signals
{
    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>The signal number for a name like <c>SIGTERM</c>, <c>TERM</c> or <c>9</c>; SIGTERM when empty or unknown.</summary>
    public static int Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return SigTerm;
        }

        if (int.TryParse(name, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var upper = name.Trim().ToUpperInvariant();
        if (!upper.StartsWith("SIG", StringComparison.Ordinal))
        {
            upper = "SIG" + upper;
        }

        return upper switch
        {
            "SIGKILL" => SigKill,
            "SIGINT" => 2,
            "SIGQUIT" => 3,
            "SIGHUP" => 1,
            "SIGUSR1" => 10,
            "SIGUSR2" => 12,
            _ => SigTerm,
        };
    }
}
