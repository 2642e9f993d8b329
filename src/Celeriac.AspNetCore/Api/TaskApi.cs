using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The HTTP API's behaviour, host-free: enqueue, status, revoke and list, each returning the status code,
/// headers and body to send. The ASP.NET Core endpoints and the Functions app translate requests into one
/// call here and write the <see cref="ApiResponse"/> out.
/// </summary>
public sealed class TaskApi : IAsyncDisposable, IDisposable
{
    /// <summary>The route prefix of every endpoint.</summary>
    public const string RoutePrefix = "/api/tasks";

    private readonly TaskRegistry _registry;
    private readonly ITaskNameCatalog _catalog;
    private readonly ITaskStore _store;
    private readonly ITaskBroker _broker;
    private readonly TimeProvider _time;
    private readonly TaskApiOptions _options;
    private readonly ILogger<TaskApi> _logger;
    private readonly string _origin = $"celeriac-api@{Environment.MachineName}";

    private static readonly TimeSpan ShutdownWriteWait = TimeSpan.FromSeconds(10);

    private readonly NewestRecordCache _newest = new();
    private readonly AcceptedRecordWrites _acceptedWrites = new();

    /// <summary>Creates the API.</summary>
    public TaskApi(TaskRegistry registry, ITaskNameCatalog catalog, ITaskStore store, ITaskBroker broker, TimeProvider time, IOptions<TaskApiOptions> options,
        ILogger<TaskApi> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _catalog = catalog;
        _store = store;
        _broker = broker;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The largest body <see cref="EnqueueAsync"/> accepts; hosts answer <see cref="PayloadTooLarge"/> above it.</summary>
    public int MaxBodyBytes => _options.MaxBodyBytes;

    /// <summary>
    /// <c>POST /api/tasks/{name}</c> with <c>{"args": [...], "kwargs": {...}}</c> and optionally <c>countdown</c> or
    /// <c>eta</c>, <c>expires</c>, <c>link</c> and <c>link_error</c> (see <see cref="EnqueueRequest"/>): 202 once the broker confirmed the
    /// message (its PENDING record follows: every read waits for it), 404 for an unknown task, 400 for a body or arguments that do not fit, 503 when the broker refuses. A task
    /// registered in this process has its arguments checked here; one that only workers elsewhere run (see
    /// <see cref="ITaskNameCatalog"/>) is checked by its worker, and its rpc:// result is recorded when it comes back.
    /// </summary>
    public async Task<ApiResponse> EnqueueAsync(string name, ReadOnlyMemory<byte> body, Uri baseAddress, CancellationToken cancellationToken)
    {
        var instance = $"{RoutePrefix}/{name}";
        var local = _registry.TryGet(name, out var definition);
        if (!local && !await _catalog.ContainsAsync(name, cancellationToken))
        {
            return Respond(Problem(404, "unknown-task", "Unknown task", $"No task named '{name}' is registered.", instance) with { Registered = _catalog.Known });
        }

        if (!EnqueueRequest.TryRead(body, _time.GetUtcNow(), out var request, out var error))
        {
            return Respond(Problem(400, "invalid-body", "Invalid request body", error, instance));
        }

        foreach (var linked in request.LinkedTasks)
        {
            if (!_registry.TryGet(linked, out _) && !await _catalog.ContainsAsync(linked, cancellationToken))
            {
                return Respond(Problem(400, "invalid-body", "Invalid request body", $"The link names an unknown task '{linked}'.", instance));
            }
        }

        if (definition?.Validate(request.Args, request.Kwargs) is { } misfit)
        {
            return Respond(Problem(400, "invalid-arguments", "Arguments do not fit the task", misfit.Message, instance));
        }

        var message = new TaskMessage
        {
            Id = Guid.NewGuid().ToString(), Name = name, Args = request.Args, Kwargs = request.Kwargs, Origin = _origin,
            Eta = request.Eta, Expires = request.Expires, Embed = request.Embed,
        };
        try
        {
            // A worker elsewhere may be Python Celery's, which writes no records: its result fills the record in.
            await (local
                ? _broker.SendTaskAsync(message, _options.Queue, cancellationToken)
                : _broker.SendRecordingResultAsync(message, _options.Queue, cancellationToken));
        }
        catch (BrokerUnavailableException ex)
        {
            // Expected while the broker restarts: one line, no stack trace, and the client is told when to come back.
            Log.BrokerUnavailable(_logger, name, ex.GetBaseException().Message);
            return Unavailable(ex, instance);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.EnqueueFailed(_logger, name, ex);
            return Unavailable(ex, instance);
        }

        var state = await RecordAcceptedAsync(message);
        return Accepted(Links(message.Id, state, baseAddress) with { Name = name }, message.Id);
    }

    /// <summary>
    /// Writes the PENDING record of a task the broker has confirmed (after the confirm, so a record never stands for a
    /// message that is not queued) and answers with the state to report. Not awaited while fewer than
    /// <see cref="AcceptedRecordWrites.Capacity"/> are in flight: the 202 does not depend on it (a task whose record
    /// write fails is still queued, and its worker creates the record at RECEIVED), and awaiting it put a group commit's
    /// fsync on every POST. Reads wait for it (<see cref="AcceptedRecordWrites"/>), so they see the whole record.
    /// </summary>
    private async ValueTask<TaskState> RecordAcceptedAsync(TaskMessage message)
    {
        var accepted = new TaskAccepted(_time.GetUtcNow(), TaskDescription.From(message));
        if (!_acceptedWrites.TryReserve())
        {
            return await WriteAcceptedAsync(message.Id, accepted);
        }

        var write = WriteAcceptedAsync(message.Id, accepted);
        _acceptedWrites.Track(message.Id, write);
        return write.IsCompletedSuccessfully ? write.Result : TaskState.Pending;
    }

    private async Task<TaskState> WriteAcceptedAsync(string taskId, TaskAccepted accepted)
    {
        try
        {
            // Not the request's token: the write goes on after the response, whether or not the caller stays.
            var result = await _store.ApplyAsync(taskId, accepted, CancellationToken.None);
            // A worker may already have written RECEIVED; then PENDING only filled in what it lacked.
            return _newest.Newest(taskId, result.Record)?.State ?? TaskState.Pending;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The task is queued and will run; its worker creates the record at RECEIVED.
            Log.RecordWriteFailed(_logger, taskId, ex);
            return TaskState.Pending;
        }
    }

    /// <summary>
    /// Waits (a bounded while) for the PENDING writes still in flight, so a graceful stop loses none of the records of
    /// tasks it has answered 202 for.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _acceptedWrites.WaitForAllAsync(CancellationToken.None).WaitAsync(ShutdownWriteWait);
        }
        catch (TimeoutException)
        {
            Log.AcceptedWritesAbandoned(_logger, ShutdownWriteWait);
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, for a container disposed synchronously (the writes finish on the thread pool).</summary>
    public void Dispose()
    {
        if (!_acceptedWrites.WaitForAllAsync(CancellationToken.None).Wait(ShutdownWriteWait))
        {
            Log.AcceptedWritesAbandoned(_logger, ShutdownWriteWait);
        }
    }

    /// <summary>
    /// <c>GET /api/tasks/{id}</c>: 200 when final, 202 with <c>Retry-After</c> while queued or running, 404 when no task with
    /// this id was sent or seen (also when only a revoke names it; the problem then carries the revoke).
    /// </summary>
    public async Task<ApiResponse> GetAsync(string id, CancellationToken cancellationToken)
    {
        TaskRecord? stored;
        try
        {
            await _acceptedWrites.WaitForAsync(id, cancellationToken);
            stored = await _store.GetAsync(id, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            return StoreUnavailable(ex, $"{RoutePrefix}/{id}");
        }

        var record = _newest.Newest(id, stored);
        if (record is null)
        {
            return Respond(Problem(404, "unknown-task-id", "Unknown task", $"No task with id '{id}'.", $"{RoutePrefix}/{id}"));
        }

        if (record is { Name: null, IsFinal: false, Revoke: { } revoke })
        {
            // Only a revoke knows this id: no task was sent or received with it. Not PENDING, which would keep a poller waiting.
            return Respond(Problem(404, "unknown-task-id", "Unknown task",
                $"No task with id '{id}' has been seen. A revoke for it is on record: a worker discards the task if it ever arrives.",
                $"{RoutePrefix}/{id}") with { Revoke = revoke });
        }

        var view = TaskView.From(record);
        return record.IsFinal ? new ApiResponse(200, view) : Accepted(view, id);
    }

    /// <summary>
    /// <c>POST /api/tasks/{id}/revoke[?terminate=true]</c>: 202 when accepted (also for an id not seen yet, as
    /// Celery's revoke accepts any id), 409 when the task already finished.
    /// </summary>
    public async Task<ApiResponse> RevokeAsync(string id, bool terminate, Uri baseAddress, CancellationToken cancellationToken)
    {
        var instance = $"{RoutePrefix}/{id}/revoke";
        TransitionResult result;
        try
        {
            await _acceptedWrites.WaitForAsync(id, cancellationToken);
            result = await _store.ApplyAsync(id, new TaskRevokeRequested(_time.GetUtcNow(), terminate), cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            // Not recorded, so not broadcast either: the client sends it again after Retry-After.
            return StoreUnavailable(ex, instance);
        }

        var record = _newest.Newest(id, result.Record);
        if (record is { IsFinal: true })
        {
            return Respond(Problem(409, "task-finished", "The task already finished",
                $"Task {id} already finished: {record.State.ToWireName()}. A revoke changes nothing.", instance) with { State = record.State.ToWireName() });
        }

        try
        {
            // The record holds the revoke for workers that check it; the broadcast reaches a running task now.
            await _broker.BroadcastRevokeAsync(id, terminate, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RevokeBroadcastFailed(_logger, id, ex);
        }

        var state = record?.State ?? TaskState.Pending;
        return Accepted(Links(id, state, baseAddress) with { Name = record?.Name, Revoke = record?.Revoke }, id);
    }

    /// <summary>
    /// <c>GET /api/tasks?state=&amp;name=&amp;worker=&amp;q=&amp;from=&amp;to=&amp;limit=&amp;cursor=</c>: a page of records, newest first,
    /// with long arguments and results cut short (<see cref="TaskView.Truncated"/>) and at most
    /// <see cref="TaskApiOptions.MaxListBytes"/> of JSON (fewer rows than asked for, and a cursor, when more would not fit).
    /// </summary>
    public async Task<ApiResponse> ListAsync(IReadOnlyDictionary<string, string?> query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!TaskQueryString.TryParse(key => query.TryGetValue(key, out var value) ? value : null, new TaskRecordQuery(), out var parsed, out var error))
        {
            return Respond(Problem(400, "invalid-query", "Invalid query", error, RoutePrefix));
        }

        try
        {
            // Every task already answered 202 for is listed.
            await _acceptedWrites.WaitForAllAsync(cancellationToken);
            return new ApiResponse(200, await TaskListing.ReadAsync(_store, parsed, _options, cancellationToken));
        }
        catch (FormatException ex)
        {
            return Respond(Problem(400, "invalid-query", "Invalid query", ex.Message, RoutePrefix));
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            return StoreUnavailable(ex, RoutePrefix);
        }
    }

    /// <summary>The 413 answer for a body larger than <see cref="MaxBodyBytes"/>.</summary>
    public ApiResponse PayloadTooLarge(string path) =>
        Respond(Problem(413, "payload-too-large", "Request body too large", $"The body exceeds {_options.MaxBodyBytes} bytes.", path));

    /// <summary>The 400 answer for a request body that could not be read (a malformed chunked encoding, a body cut short).</summary>
    public static ApiResponse UnreadableBody(string path, string reason) =>
        Respond(Problem(400, "invalid-body", "Invalid request body", $"The request body could not be read: {reason}", path));

    /// <summary>The 401 answer for a request without a valid API key.</summary>
    public static ApiResponse Unauthorized(string path) =>
        Respond(Problem(401, "unauthorized", "API key required",
            "This server requires an API key: send it in the x-functions-key header or as 'Authorization: Bearer <key>'.", path));

    private ApiResponse Accepted(object body, string id) => new(202, body)
    {
        // Escaped: an id is any text (Celery's are), and CR, LF or non-ASCII in a header would fail the whole answer.
        Location = $"{RoutePrefix}/{Uri.EscapeDataString(id)}",
        RetryAfterSeconds = _options.RetryAfterSeconds,
    };

    // Not accepted: the client may send again after Retry-After. (A confirm lost with the connection means the broker may
    // hold the message after all; sending again then runs the task twice, which at-least-once delivery allows.)
    private ApiResponse Unavailable(Exception ex, string instance) =>
        Respond(Problem(503, "broker-unavailable", "The broker did not accept the task", ex.GetBaseException().Message, instance))
            with { RetryAfterSeconds = _options.RetryAfterSeconds };

    // The record store failed (locked by another process past its busy timeout, a full disk): the request may succeed
    // later, so the client is told when to come back; the log gets one line per request, no stack trace.
    private ApiResponse StoreUnavailable(Exception ex, string instance)
    {
        Log.StoreUnavailable(_logger, instance, ex.GetBaseException().Message);
        return Respond(Problem(503, "store-unavailable", "The task record store is unavailable", "The task record store did not answer; try again later.", instance))
            with { RetryAfterSeconds = _options.RetryAfterSeconds };
    }

    private static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static ApiProblem Problem(int status, string kind, string title, string detail, string instance) =>
        new($"urn:celeriac:problem:{kind}", title, status, detail) { Instance = instance };

    private static ApiResponse Respond(ApiProblem problem) => new(problem.Status, problem);

    private static TaskLinks Links(string id, TaskState state, Uri baseAddress)
    {
        var status = new Uri(baseAddress, $"{RoutePrefix}/{Uri.EscapeDataString(id)}").ToString();
        return new TaskLinks(id, state.ToWireName(), status, status + "/revoke", status + "/revoke?terminate=true");
    }
}
