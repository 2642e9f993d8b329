using Microsoft.Extensions.Logging;

namespace Celeriac.Sqlite;

/// <summary>Every log line Celeriac.Sqlite writes.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Task records are kept in {Path}")]
    public static partial void Opened(ILogger logger, string path);

    [LoggerMessage(3001, LogLevel.Information, "Upgraded the task record schema in {Path} from version {From} to {To}")]
    public static partial void SchemaUpgraded(ILogger logger, string path, int from, int to);

    [LoggerMessage(3002, LogLevel.Warning,
        "Task {TaskId} changed under the write lock; this is a bug or a writer that bypasses the lock. Retrying the batch (attempt {Attempt})")]
    public static partial void VersionConflict(ILogger logger, string taskId, int attempt);

    [LoggerMessage(3003, LogLevel.Error, "Could not write {Count} task record changes to {Path}; their callers get the error")]
    public static partial void BatchFailed(ILogger logger, int count, string path, Exception error);

    [LoggerMessage(3004, LogLevel.Debug, "Committed {Count} task record changes in {Milliseconds:0.0} ms")]
    public static partial void BatchCommitted(ILogger logger, int count, double milliseconds);

    [LoggerMessage(3005, LogLevel.Warning, "Committing {Count} task record changes took {Milliseconds:0} ms; is the disk slow or another process holding the write lock?")]
    public static partial void SlowCommit(ILogger logger, int count, double milliseconds);

    [LoggerMessage(3006, LogLevel.Error, "The change {Transition} of task {TaskId} could not be applied or stored; the other changes in its batch are kept")]
    public static partial void TransitionFailed(ILogger logger, string transition, string taskId, Exception error);
}
