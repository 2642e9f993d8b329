using Microsoft.Extensions.Logging;

namespace Celeriac.Dashboard;

/// <summary>Every log line Celeriac.Dashboard writes.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Dashboard: listening to Celery events")]
    public static partial void Listening(ILogger logger);

    [LoggerMessage(6001, LogLevel.Warning, "Dashboard: no Celery events (trying again in {Seconds} s); pages still show the task records")]
    public static partial void EventsUnavailable(ILogger logger, double seconds, Exception error);

    [LoggerMessage(6002, LogLevel.Warning, "Dashboard: the worker table could not be read; workers seen before this start are not listed")]
    public static partial void WorkerTableUnreadable(ILogger logger, Exception error);

    [LoggerMessage(6003, LogLevel.Warning, "Dashboard: worker {Worker} could not be saved in the worker table")]
    public static partial void WorkerNotSaved(ILogger logger, string worker, Exception error);

    [LoggerMessage(6004, LogLevel.Warning, "Dashboard: pushing changes to open pages failed; trying again on the next tick")]
    public static partial void PushFailed(ILogger logger, Exception error);

    [LoggerMessage(6005, LogLevel.Information, "Dashboard: task {TaskId} revoked from the dashboard (terminate: {Terminate}); the API answered {Status}")]
    public static partial void Revoked(ILogger logger, string taskId, bool terminate, int status);

    [LoggerMessage(6006, LogLevel.Warning, "Dashboard: refused a cross-site {Method} to {Path} (Origin {Origin}, Sec-Fetch-Site {FetchSite})")]
    public static partial void CrossSiteRefused(ILogger logger, string method, string path, string? origin, string? fetchSite);

    [LoggerMessage(6007, LogLevel.Warning, "Dashboard: the RabbitMQ management API at {Url} did not answer")]
    public static partial void ManagementUnavailable(ILogger logger, Uri url, Exception error);

    [LoggerMessage(6008, LogLevel.Information, "Dashboard: a login with a wrong key from {Peer}")]
    public static partial void LoginFailed(ILogger logger, string? peer);

    [LoggerMessage(6009, LogLevel.Debug, "Dashboard: task {TaskId} recorded as {State} from an event of {Worker}")]
    public static partial void RecordedFromEvent(ILogger logger, string taskId, string state, string? worker);

    [LoggerMessage(6010, LogLevel.Warning, "Dashboard: task {TaskId} could not be recorded from its event; its next event catches its record up")]
    public static partial void RecordFromEventFailed(ILogger logger, string taskId, Exception error);

    [LoggerMessage(6011, LogLevel.Warning, "Dashboard: the metrics kept before this start could not be read; counters and the chart start from zero")]
    public static partial void MetricsUnreadable(ILogger logger, Exception error);

    [LoggerMessage(6012, LogLevel.Warning, "Dashboard: the metrics could not be saved; trying again in a few seconds")]
    public static partial void MetricsNotSaved(ILogger logger, Exception error);
}
