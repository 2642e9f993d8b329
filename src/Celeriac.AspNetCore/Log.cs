using Microsoft.Extensions.Logging;

namespace Celeriac.AspNetCore;

/// <summary>Every log line Celeriac.AspNetCore writes (event ids 14xx, as before the HTTP API left Core).</summary>
internal static partial class Log
{
    [LoggerMessage(1400, LogLevel.Error, "Could not send task {TaskName} to the broker")]
    public static partial void EnqueueFailed(ILogger logger, string taskName, Exception error);

    [LoggerMessage(1403, LogLevel.Warning, "Could not send task {TaskName}: {Reason}; answering 503 until it is back")]
    public static partial void BrokerUnavailable(ILogger logger, string taskName, string reason);

    [LoggerMessage(1401, LogLevel.Warning, "Task {TaskId} is queued but its PENDING record could not be written; its worker will create the record")]
    public static partial void RecordWriteFailed(ILogger logger, string taskId, Exception error);

    [LoggerMessage(1406, LogLevel.Warning, "Stopping with PENDING record writes still in flight after {Waited}; their workers will create those records at RECEIVED")]
    public static partial void AcceptedWritesAbandoned(ILogger logger, TimeSpan waited);

    [LoggerMessage(1402, LogLevel.Warning, "The revoke of {TaskId} is recorded but could not be broadcast to workers; they will see it when the task reaches them")]
    public static partial void RevokeBroadcastFailed(ILogger logger, string taskId, Exception error);

    [LoggerMessage(1405, LogLevel.Warning, "The task record store failed for {Path}: {Reason}; answering 503")]
    public static partial void StoreUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(1404, LogLevel.Warning, "Could not ask the workers which tasks they run ({Reason}); the API knows the tasks last heard of")]
    public static partial void WorkerTasksUnavailable(ILogger logger, string reason);
}
