using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ;

/// <summary>Every log line Celeriac.RabbitMQ writes.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "Connected to {Url}")]
    public static partial void Connected(ILogger logger, string url);

    [LoggerMessage(EventId = 2001, Message = "Cannot connect to {Url}: {Reason}. Trying again in {Seconds}s (attempt {Attempt})...")]
    public static partial void ConnectFailed(ILogger logger, LogLevel level, string url, string reason, double seconds, int attempt);

    [LoggerMessage(2002, LogLevel.Warning, "A publishing channel closed ({Reason}); opening a new one")]
    public static partial void PublishChannelReplaced(ILogger logger, string reason);

    [LoggerMessage(2003, LogLevel.Warning, "Lost the connection to {Url} ({Reason}); reconnecting every {Seconds}s")]
    public static partial void ConnectionLost(ILogger logger, string url, string reason, double seconds);

    [LoggerMessage(2004, LogLevel.Warning, "Cannot reconnect to {Url} yet: {Reason}. Trying again in {Seconds}s...")]
    public static partial void ReconnectFailed(ILogger logger, string url, string reason, double seconds);

    [LoggerMessage(2005, LogLevel.Information, "Reconnected to {Url}; queues, consumers and channels restored")]
    public static partial void Reconnected(ILogger logger, string url);

    [LoggerMessage(2100, LogLevel.Information, "{Hostname} ready.")]
    public static partial void WorkerReady(ILogger logger, string hostname);

    [LoggerMessage(2101, LogLevel.Information, "Consuming from {Queues} with prefetch {Prefetch} and concurrency {Concurrency}")]
    public static partial void Consuming(ILogger logger, string queues, int prefetch, int concurrency);



    [LoggerMessage(2104, LogLevel.Information, "Worker stopped")]
    public static partial void WorkerStopped(ILogger logger);


    [LoggerMessage(2106, LogLevel.Error, "Unexpected error handling a remote control message")]
    public static partial void ControlFailed(ILogger logger, Exception error);

    [LoggerMessage(2107, LogLevel.Warning, "Parked a message from {Queue} in {ParkingQueue}: {Reason}")]
    public static partial void Parked(ILogger logger, string queue, string parkingQueue, string reason);

    [LoggerMessage(2108, LogLevel.Warning, "The broker cancelled the consumer on {Queue} (was the queue deleted?)")]
    public static partial void ConsumerCancelled(ILogger logger, string queue);

    [LoggerMessage(2200, LogLevel.Debug, "Ignoring a result message that cannot be read: {Reason}")]
    public static partial void ResultUndecodable(ILogger logger, string reason);

    [LoggerMessage(2201, LogLevel.Warning, "The result of task {TaskId} came back but could not be written to its record")]
    public static partial void ResultNotRecorded(ILogger logger, string taskId, Exception error);
}
