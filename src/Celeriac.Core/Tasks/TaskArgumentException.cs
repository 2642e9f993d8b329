namespace Celeriac.Core.Tasks;

/// <summary>
/// The message's arguments do not fit the task's parameters. Celery clients see it as Python's
/// <c>TypeError</c> with the same wording Python uses.
/// </summary>
public sealed class TaskArgumentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskArgumentException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TaskArgumentException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TaskArgumentException()
    {
    }
}
