namespace Celeriac.Functions.Execution;

/// <summary>Thrown so the RabbitMQ listener republishes a delivery the processor gave back (an infrastructure failure or a shutdown).</summary>
public sealed class TaskRequeuedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskRequeuedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskRequeuedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TaskRequeuedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    internal TaskRequeuedException(string? taskId, TriggerSettlementKind kind)
        : base(kind == TriggerSettlementKind.Requeued
            ? $"Task {taskId} was given back to the queue (its outcome could not be recorded, or the host is stopping); the listener republishes it."
            : $"Task {taskId} was not settled by the processor.")
    {
    }
}
