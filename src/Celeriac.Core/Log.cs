using Microsoft.Extensions.Logging;

namespace Celeriac.Core;

/// <summary>
/// Every log line Celeriac.Core writes. The task lines use Celery's wording, so people who know Celery's
/// worker log (and tools that grep it) read them the same way.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Task {TaskName}[{TaskId}] received")]
    public static partial void TaskReceived(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1001, LogLevel.Information, "Task {TaskName}[{TaskId}] succeeded in {Runtime:0.00}s: {Result}")]
    public static partial void TaskSucceeded(ILogger logger, string taskName, string taskId, double runtime, string result);

    [LoggerMessage(1012, LogLevel.Information, "Task {TaskName}[{TaskId}] deferred until its ETA {Eta:o}")]
    public static partial void TaskDeferred(ILogger logger, string taskName, string taskId, DateTimeOffset eta);

    [LoggerMessage(1002, LogLevel.Error, "Task {TaskName}[{TaskId}] raised unexpected: {Exception}")]
    public static partial void TaskFailed(ILogger logger, string taskName, string taskId, string exception, Exception error);

    [LoggerMessage(1850, LogLevel.Information, "Task {TaskName}[{TaskId}] retry: {Retry}")]
    public static partial void TaskRetried(ILogger logger, string taskName, string taskId, string retry);

    [LoggerMessage(1003, LogLevel.Information, "Discarding revoked task: {TaskName}[{TaskId}]")]
    public static partial void DiscardingRevokedTask(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1004, LogLevel.Warning, "Task {TaskName}[{TaskId}] returned to the queue: the worker is shutting down")]
    public static partial void TaskRequeued(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1015, LogLevel.Warning, "Task {TaskName}[{TaskId}] delivered again after it finished ({State}): not run again; its result is sent again and the message acknowledged")]
    public static partial void TaskAlreadyFinished(ILogger logger, string taskName, string taskId, string state);

    [LoggerMessage(1005, LogLevel.Error, "Hard time limit ({Seconds}s) exceeded for {TaskName}[{TaskId}]")]
    public static partial void HardTimeLimitExceeded(ILogger logger, double seconds, string taskName, string taskId);

    [LoggerMessage(1006, LogLevel.Warning, "Soft time limit ({Seconds}s) exceeded for {TaskName}[{TaskId}]")]
    public static partial void SoftTimeLimitExceeded(ILogger logger, double seconds, string taskName, string taskId);

    [LoggerMessage(1007, LogLevel.Warning,
        "Task {TaskName}[{TaskId}] was stopped but is still running {Seconds}s later; the worker abandons it and frees its slot, but its thread keeps running. Tasks should observe their CancellationToken.")]
    public static partial void TaskAbandonedAfterStop(ILogger logger, string taskName, string taskId, double seconds);


    [LoggerMessage(1009, LogLevel.Warning, "Could not reject a message; the broker will redeliver it")]
    public static partial void RejectFailed(ILogger logger, Exception error);

    [LoggerMessage(1010, LogLevel.Error,
        "Received unregistered task of type '{TaskName}' (id {TaskId}). The message was parked and its caller was sent FAILURE (NotRegistered). Is the task registered on this worker?")]
    public static partial void UnregisteredTask(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1013, LogLevel.Error,
        "Task {TaskName}[{TaskId}] was delivered {Deliveries} times without finishing: the worker most likely died running it. The message was parked and the task failed (WorkerLostError).")]
    public static partial void PoisonMessage(ILogger logger, string taskName, string taskId, int deliveries);

    [LoggerMessage(1014, LogLevel.Warning, "Could not count the deliveries of task {TaskId} in the state directory; it runs uncounted.")]
    public static partial void DeliveryCountFailed(ILogger logger, string taskId, Exception error);

    [LoggerMessage(1011, LogLevel.Error, "Can't decode message body from queue '{Queue}': {Reason} The message was parked.")]
    public static partial void UndecodableMessage(ILogger logger, string queue, string reason);

    [LoggerMessage(1800, LogLevel.Debug, "Task {TaskName}[{TaskId}] sent {NextName}[{NextId}]")]
    public static partial void WorkflowTaskSent(ILogger logger, string taskName, string taskId, string nextName, string nextId);

    [LoggerMessage(1801, LogLevel.Warning,
        "Task {TaskName}[{TaskId}] is part of a chord header, but no record store counts chord parts (UseSqliteStore or UseInMemoryStore), so the chord body does not run")]
    public static partial void ChordNotRun(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1804, LogLevel.Warning,
        "Task {TaskName}[{TaskId}] is part of a chord header without a group id or a chord_size in its body signature, so its chord cannot be counted and the body does not run")]
    public static partial void ChordSizeUnknown(ILogger logger, string taskName, string taskId);

    [LoggerMessage(1805, LogLevel.Debug, "Task {TaskName}[{TaskId}] counted for chord {GroupId}: {Finished} of {Size} parts finished")]
    public static partial void ChordPartCounted(ILogger logger, string taskName, string taskId, string groupId, int finished, int size);

    [LoggerMessage(1806, LogLevel.Error, "Chord {GroupId} failed: its body {BodyId} does not run because part {PartId} failed (ChordError)")]
    public static partial void ChordFailed(ILogger logger, string groupId, string bodyId, string partId);

    [LoggerMessage(1802, LogLevel.Warning, "Task {TaskName}[{TaskId}] carries a {CanvasType} signature, which Celeriac does not run")]
    public static partial void CanvasTypeNotRun(ILogger logger, string taskName, string taskId, string canvasType);

    [LoggerMessage(1803, LogLevel.Error, "Task {TaskName}[{TaskId}] carries a workflow that cannot be read, so nothing follows it: {Reason}")]
    public static partial void WorkflowUnreadable(ILogger logger, string taskName, string taskId, string reason);

    [LoggerMessage(1100, LogLevel.Information, "Tasks flagged as revoked: {TaskIds}")]
    public static partial void TasksFlaggedAsRevoked(ILogger logger, string taskIds);

    [LoggerMessage(1101, LogLevel.Information, "Terminating {TaskId} ({Signal})")]
    public static partial void Terminating(ILogger logger, string taskId, int signal);

    [LoggerMessage(1102, LogLevel.Information, "Loaded {Count} revoked task ids from {Path}")]
    public static partial void RevokesLoaded(ILogger logger, int count, string path);

    [LoggerMessage(1200, LogLevel.Debug, "Remote control command '{Method}' from {Sender}")]
    public static partial void ControlCommandReceived(ILogger logger, string method, string sender);

    [LoggerMessage(1201, LogLevel.Error, "Remote control command '{Method}' failed")]
    public static partial void ControlCommandFailed(ILogger logger, string method, Exception error);

    [LoggerMessage(1202, LogLevel.Warning, "Ignoring a remote control message that cannot be read: {Reason}")]
    public static partial void ControlMessageUndecodable(ILogger logger, string reason);

    [LoggerMessage(1203, LogLevel.Information, "Task events {State} by remote control")]
    public static partial void TaskEventsSwitched(ILogger logger, string state);

    [LoggerMessage(1300, LogLevel.Warning, "Could not send event {EventType}")]
    public static partial void EventSendFailed(ILogger logger, string eventType, Exception error);

    [LoggerMessage(1302, LogLevel.Warning, "Sending worker-offline while task events are still being sent after {Waited}")]
    public static partial void OfflineBeforeTaskEventsSent(ILogger logger, TimeSpan waited);

    [LoggerMessage(1301, LogLevel.Warning, "Could not send a worker heartbeat")]
    public static partial void HeartbeatFailed(ILogger logger, Exception error);

    [LoggerMessage(2102, LogLevel.Information, "Warm shutdown: stopped consuming; waiting up to {Seconds}s for {Count} running task(s)")]
    public static partial void WarmShutdown(ILogger logger, double seconds, int count);

    [LoggerMessage(2103, LogLevel.Warning, "Shutdown grace period over: cancelling {Count} running task(s); their messages go back to the queue")]
    public static partial void ShutdownGraceExpired(ILogger logger, int count);

    [LoggerMessage(2105, LogLevel.Error,
        "Cannot process deliveries from {Queue}: {Reason}. Holding them and backing off (up to 30 s) until this recovers; their messages go back to the queue")]
    public static partial void BackingOff(ILogger logger, string queue, string reason, Exception error);

    [LoggerMessage(2109, LogLevel.Information, "Deliveries are processed again, after {Failures} failed attempt(s)")]
    public static partial void Recovered(ILogger logger, long failures);

    // Remote control that changes the worker (Celery's wording).
    [LoggerMessage(1700, LogLevel.Information, "New rate limit for tasks of type {TaskName}: {RateLimit}.")]
    public static partial void RateLimitChanged(ILogger logger, string taskName, string rateLimit);

    [LoggerMessage(1701, LogLevel.Information, "Rate limits disabled for tasks of type {TaskName}")]
    public static partial void RateLimitDisabled(ILogger logger, string taskName);

    [LoggerMessage(1702, LogLevel.Information, "New time limits for tasks of type {TaskName}: soft={Soft} hard={Hard}")]
    public static partial void TimeLimitsChanged(ILogger logger, string taskName, string soft, string hard);

    [LoggerMessage(1703, LogLevel.Error, "Rate or time limit change attempt for unknown task {TaskName}")]
    public static partial void LimitForUnknownTask(ILogger logger, string taskName);

    [LoggerMessage(1704, LogLevel.Information, "Started consuming from {Queue}")]
    public static partial void ConsumerAdded(ILogger logger, string queue);

    [LoggerMessage(1705, LogLevel.Information, "No longer consuming from {Queue}")]
    public static partial void ConsumerCancelled(ILogger logger, string queue);

    [LoggerMessage(1706, LogLevel.Error, "Remote control could not change the consumer of {Queue}")]
    public static partial void ConsumerChangeFailed(ILogger logger, string queue, Exception error);

    [LoggerMessage(1707, LogLevel.Information, "Pool resized by remote control: concurrency {Concurrency}")]
    public static partial void PoolResized(ILogger logger, int concurrency);

    // Beat (Celery beat's wording where it has one).
    [LoggerMessage(1720, LogLevel.Information, "beat: Starting with {Count} entries as {Owner}")]
    public static partial void BeatStarting(ILogger logger, int count, string owner);

    [LoggerMessage(1721, LogLevel.Information, "beat: {Owner} holds the lease and sends due tasks")]
    public static partial void BeatLeading(ILogger logger, string owner);

    [LoggerMessage(1722, LogLevel.Information, "beat: {Owner} stands by: another scheduler holds the lease")]
    public static partial void BeatStandingBy(ILogger logger, string owner);

    [LoggerMessage(1723, LogLevel.Information, "Scheduler: Sending due task {Entry} ({TaskName}) for tick {Tick:O} as {TaskId}")]
    public static partial void BeatSending(ILogger logger, string entry, string taskName, DateTimeOffset tick, string taskId);

    [LoggerMessage(1724, LogLevel.Warning, "Scheduler: Skipping missed tick {Tick:O} of {Entry}")]
    public static partial void BeatTickSkipped(ILogger logger, string entry, DateTimeOffset tick);

    [LoggerMessage(1725, LogLevel.Error, "Scheduler: Could not send due task {Entry}")]
    public static partial void BeatEntryFailed(ILogger logger, string entry, Exception error);

    [LoggerMessage(1726, LogLevel.Warning, "beat: the scheduler lease could not be taken or renewed")]
    public static partial void BeatLeaseFailed(ILogger logger, Exception error);
}
