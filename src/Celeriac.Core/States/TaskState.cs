namespace Celeriac.Core.States;

/// <summary>The states of a task, as Celery names them on the wire.</summary>
public enum TaskState
{
    /// <summary>Accepted, waiting in the queue (or unknown, for Celery's own result backends).</summary>
    Pending,

    /// <summary>A worker received the message.</summary>
    Received,

    /// <summary>A worker started executing it.</summary>
    Started,

    /// <summary>It failed and will be retried.</summary>
    Retry,

    /// <summary>A worker rejected the message.</summary>
    Rejected,

    /// <summary>Finished with a result.</summary>
    Success,

    /// <summary>Finished with an exception.</summary>
    Failure,

    /// <summary>Revoked: discarded before it ran, terminated while running, or expired.</summary>
    Revoked,
}

/// <summary>Wire names and classification of <see cref="TaskState"/>.</summary>
public static class TaskStates
{
    /// <summary>The wire name (<c>SUCCESS</c>, ...).</summary>
    public static string ToWireName(this TaskState state) => state switch
    {
        TaskState.Pending => "PENDING",
        TaskState.Received => "RECEIVED",
        TaskState.Started => "STARTED",
        TaskState.Retry => "RETRY",
        TaskState.Rejected => "REJECTED",
        TaskState.Success => "SUCCESS",
        TaskState.Failure => "FAILURE",
        TaskState.Revoked => "REVOKED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Parses a wire name; unknown (custom) states return false.</summary>
    public static bool TryParseWireName(string? name, out TaskState state)
    {
        switch (name)
        {
            case "PENDING": state = TaskState.Pending; return true;
            case "RECEIVED": state = TaskState.Received; return true;
            case "STARTED": state = TaskState.Started; return true;
            case "RETRY": state = TaskState.Retry; return true;
            case "REJECTED": state = TaskState.Rejected; return true;
            case "SUCCESS": state = TaskState.Success; return true;
            case "FAILURE": state = TaskState.Failure; return true;
            case "REVOKED": state = TaskState.Revoked; return true;
            default: state = default; return false;
        }
    }

    /// <summary>True for the ready states SUCCESS, FAILURE and REVOKED: nothing changes after them.</summary>
    public static bool IsFinal(this TaskState state) => state is TaskState.Success or TaskState.Failure or TaskState.Revoked;

    /// <summary>
    /// Celery's precedence (<c>celery.states.PRECEDENCE</c>): a higher value wins when events arrive out
    /// of order. SUCCESS > FAILURE > REVOKED > STARTED > RECEIVED > REJECTED > RETRY > PENDING.
    /// </summary>
    public static int Precedence(this TaskState state) => state switch
    {
        TaskState.Success => 8,
        TaskState.Failure => 7,
        TaskState.Revoked => 6,
        TaskState.Started => 5,
        TaskState.Received => 4,
        TaskState.Rejected => 3,
        TaskState.Retry => 2,
        TaskState.Pending => 1,
        _ => 0,
    };
}
