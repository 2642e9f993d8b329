using Celeriac.Core.Protocol;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// The task failed (FAILURE): raised by <see cref="AsyncResult.GetAsync(TimeSpan?, CancellationToken)"/>
/// with the worker's exception type, message and traceback.
/// </summary>
public class TaskFailedException : Exception
{
    /// <summary>Creates the exception from the reported error.</summary>
    public TaskFailedException(string taskId, TaskError error, string? traceback)
        : base($"{error.Type}: {error.Message}")
    {
        ArgumentNullException.ThrowIfNull(error);
        TaskId = taskId;
        Error = error;
        RemoteTraceback = traceback;
    }

    /// <summary>Creates the exception.</summary>
    public TaskFailedException() : this("", TaskError.Create("Exception", "", null), null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskFailedException(string message) : this("", TaskError.Create("Exception", message, null), null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskFailedException(string message, Exception innerException) : base(message, innerException)
    {
        TaskId = "";
        Error = TaskError.Create("Exception", message, null);
    }

    /// <summary>The task id.</summary>
    public string TaskId { get; }

    /// <summary>The error as the worker reported it (type, arguments, module).</summary>
    public TaskError Error { get; }

    /// <summary>The exception type's name on the worker, e.g. <c>ValueError</c> or <c>InvalidOperationException</c>.</summary>
    public string ExceptionType => Error.Type;

    /// <summary>The worker's traceback text (a Python traceback or a .NET stack trace).</summary>
    public string? RemoteTraceback { get; }
}

/// <summary>The task was revoked (REVOKED): discarded, terminated or expired; <see cref="Reason"/> says which.</summary>
public sealed class TaskRevokedException : TaskFailedException
{
    /// <summary>Creates the exception.</summary>
    public TaskRevokedException(string taskId, TaskError error) : base(taskId, error, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskRevokedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskRevokedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskRevokedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary><c>revoked</c>, <c>terminated</c> or <c>expired</c>.</summary>
    public string Reason => Error.Message;
}
