using Microsoft.Extensions.Logging;

namespace Celeriac.DurableTask;

/// <summary>Every log line Celeriac.DurableTask writes.</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Debug, "Task record entity ignored {Transition} of task {TaskId}: {Reason}")]
    public static partial void ChangeIgnored(ILogger logger, string transition, string taskId, string? reason);

    [LoggerMessage(4001, LogLevel.Debug, "Signalled {Transition} of task {TaskId}; predicted applied {Applied}, version {Version}")]
    public static partial void ChangeSignalled(ILogger logger, string transition, string taskId, bool applied, long version);
}
