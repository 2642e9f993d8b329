using System.Collections.Concurrent;
using System.Text.Json;
using Celeriac.Core.Diagnostics;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Publishing;
using Celeriac.RabbitMQ.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Events;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// Sends tasks to Celery or Celeriac workers and collects their results over rpc://, the .NET counterpart
/// of <c>add.delay(2, 3)</c>: <c>var r = await client.SendAsync("tasks.add", 2, 3); await r.GetAsync();</c>.
/// </summary>
/// <remarks>
/// Like a Python client, it declares the target queue before publishing (so a message is never dropped for
/// lack of a queue), publishes with broker confirms, and receives results on its own auto-delete reply
/// queue, matched by task id.
/// </remarks>
public sealed class CeleryClient : IAsyncDisposable
{
    private const int MaxUnclaimedResults = 8192;

    private readonly RabbitMqConnection _connection;
    private readonly IMessagePublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IAsyncDisposable[] _owned;
    private readonly ConcurrentDictionary<string, AsyncResult> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskResult> _unclaimed = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unclaimedOrder = new();
    private readonly ConcurrentDictionary<string, bool> _declaredQueues = new(StringComparer.Ordinal);
    private readonly string _origin = $"gen{Environment.ProcessId}@{Environment.MachineName}";
    private readonly ReplyConsumer _replies;

    /// <summary>Creates a client on a shared connection (the DI way; see <c>UseRabbitMq</c>).</summary>
    public CeleryClient(RabbitMqConnection connection, IMessagePublisher publisher, LamportClock clock, TimeProvider time, ILogger<CeleryClient> logger)
        : this(connection, publisher, clock, time, logger, [])
    {
    }

    private CeleryClient(RabbitMqConnection connection, IMessagePublisher publisher, LamportClock clock, TimeProvider time, ILogger logger,
        IAsyncDisposable[] owned)
    {
        _connection = connection;
        _publisher = publisher;
        _time = time;
        _logger = logger;
        _owned = owned;
        ReplyQueue = Guid.NewGuid().ToString();
        _replies = new ReplyConsumer(connection, async (channel, cancellationToken) =>
        {
            await CeleryTopology.DeclareResultQueueAsync(channel, ReplyQueue, cancellationToken);
            return ReplyQueue;
        }, OnResultAsync);
        Control = new CeleryControl(connection, publisher, clock, time);
    }

    /// <summary>This client's rpc:// reply queue, sent as <c>reply_to</c>.</summary>
    public string ReplyQueue { get; }

    /// <summary>Remote control: revoke, ping, inspect.</summary>
    public CeleryControl Control { get; }

    /// <summary>Hears every result that reaches the reply queue, before it is matched to a handle (see <see cref="RpcResultRecorder"/>).</summary>
    internal Func<TaskResult, Task>? ResultObserver { get; set; }

    /// <summary>Creates a client with its own connection, for scripts and tools without DI.</summary>
    public static CeleryClient Create(string brokerUrl, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var options = Options.Create(new RabbitMqOptions { Url = brokerUrl });
        var connection = new RabbitMqConnection(options, TimeProvider.System, loggerFactory.CreateLogger<RabbitMqConnection>());
        var publisher = new RabbitMqPublisher(connection, options, TimeProvider.System, loggerFactory.CreateLogger<RabbitMqPublisher>());
        return new CeleryClient(connection, publisher, new LamportClock(), TimeProvider.System, loggerFactory.CreateLogger<CeleryClient>(),
            [publisher, connection]);
    }

    /// <summary>Sends a task with positional arguments.</summary>
    public Task<AsyncResult> SendAsync(string taskName, params object?[] args) =>
        SendAsync(taskName, args, kwargs: null, options: null, CancellationToken.None);

    /// <summary>
    /// Sends a task and returns once the broker has confirmed the message. Arguments are serialised as JSON.
    /// </summary>
    public async Task<AsyncResult> SendAsync(string taskName, IEnumerable<object?> args, IReadOnlyDictionary<string, object?>? kwargs,
        SendOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskName);
        ArgumentNullException.ThrowIfNull(args);
        options ??= SendOptions.Default;
        var message = new TaskMessage
        {
            Id = options.TaskId ?? Guid.NewGuid().ToString(),
            Name = taskName,
            Args = CeleryJson.ToElement(args.ToArray()),
            Kwargs = CeleryJson.ToElement(kwargs ?? new Dictionary<string, object?>()),
            Eta = options.Countdown is { } countdown ? _time.GetUtcNow() + countdown : options.Eta,
            Expires = options.Expires,
            TimeLimit = options.TimeLimit,
            SoftTimeLimit = options.SoftTimeLimit,
            ParentId = options.ParentId,
            RootId = options.RootId,
            IgnoreResult = options.IgnoreResult,
            Priority = options.Priority,
            Origin = _origin,
            Embed = Links(options),
        };
        return await SendAsync(message, options.Queue, cancellationToken);
    }

    /// <summary>
    /// Sends a chord, Celery's <c>chord(header)(body)</c>: every header signature as one group, each part carrying the
    /// body, which a Celeriac worker with a record store sends with the parts' results as one list once the last part
    /// finished (or fails with <c>ChordError</c> when a part failed). Returns the body's result handle; the parts report
    /// their own results here too (<see cref="GetResult"/> with their <see cref="TaskSignature.TaskId"/>). Python Celery
    /// on rpc:// refuses to send chords; this sends what its <c>group.apply_async(chord=body)</c> sends, plus the size.
    /// </summary>
    public async Task<AsyncResult> SendChordAsync(IReadOnlyList<TaskSignature> header, TaskSignature body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(body);
        if (header.Count == 0)
        {
            throw new ArgumentException("A chord needs at least one header task.", nameof(header));
        }

        await _replies.EnsureStartedAsync(cancellationToken);
        body = body with { TaskId = body.TaskId ?? Guid.NewGuid().ToString() };
        var result = GetResult(body.TaskId!);
        var chord = body.ToJson(ReplyQueue, chordSize: header.Count);
        var groupId = Guid.NewGuid().ToString();
        for (var i = 0; i < header.Count; i++)
        {
            var part = header[i];
            var message = new TaskMessage
            {
                Id = part.TaskId ?? Guid.NewGuid().ToString(),
                Name = part.Name,
                Args = CeleryJson.ToElement(part.Args ?? []),
                Kwargs = CeleryJson.ToElement(part.Kwargs ?? new Dictionary<string, object?>()),
                GroupId = groupId,
                GroupIndex = i,
                Origin = _origin,
                Embed = new TaskEmbed(null, null, null, chord),
            };
            await SendAsync(message, part.Queue ?? SendOptions.Default.Queue, withReplyQueue: true, cancellationToken);
        }

        return result;
    }

    /// <summary>Sends a prepared task message to a queue and returns once the broker has confirmed it.</summary>
    public Task<AsyncResult> SendAsync(TaskMessage message, string queue, CancellationToken cancellationToken) =>
        SendAsync(message, queue, withReplyQueue: !(message?.IgnoreResult ?? false), cancellationToken);

    /// <summary>
    /// Sends a prepared task message; <paramref name="withReplyQueue"/> says whether results come back to this
    /// client over rpc:// (otherwise the message names no reply queue and no result is published to one).
    /// </summary>
    internal async Task<AsyncResult> SendAsync(TaskMessage message, string queue, bool withReplyQueue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await EnsureQueueAsync(queue, cancellationToken);
        AsyncResult? result = null;
        if (!withReplyQueue && message.Embed.HasWork)
        {
            // Linked tasks with an id report here even when this one reports nowhere.
            await _replies.EnsureStartedAsync(cancellationToken);
        }

        if (withReplyQueue)
        {
            await _replies.EnsureStartedAsync(cancellationToken);
            message = message with { ReplyTo = ReplyQueue };
            // A new send of an id starts over: an outcome kept from an earlier run of it is stale now.
            _unclaimed.TryRemove(message.Id, out _);
            result = Track(message.Id);
        }

        // The send span lasts until the broker confirmed; the message carries its trace context to the worker.
        using var activity = TaskTelemetry.StartSend(message, queue, out message);
        try
        {
            await _publisher.PublishAsync(new OutgoingMessage("", queue, TaskMessageCodec.Encode(message)), cancellationToken);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetBaseException().Message);
            _pending.TryRemove(message.Id, out _);
            throw;
        }

        return result ?? new AsyncResult(message.Id, this);
    }

    /// <summary>
    /// A handle on a task this client sent earlier, by id. Results reach only the client whose reply queue
    /// the task named, as with Celery's rpc:// backend.
    /// </summary>
    public AsyncResult GetResult(string taskId) => _pending.TryGetValue(taskId, out var existing) ? existing : Track(taskId);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _replies.DisposeAsync();
        await Control.DisposeAsync();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    // A linked signature with an id reports to this client's reply queue, as one Python froze does.
    private TaskEmbed Links(SendOptions options)
    {
        if (options.Link is not { Count: > 0 } && options.LinkError is not { Count: > 0 })
        {
            return TaskEmbed.None;
        }

        JsonElement? List(IReadOnlyList<TaskSignature>? signatures) => signatures is { Count: > 0 }
            ? CeleryJson.ToElement(signatures.Select(s => s.ToJson(s.TaskId is null ? null : ReplyQueue)).ToArray())
            : null;

        return new TaskEmbed(List(options.Link), List(options.LinkError), null, null);
    }

    private AsyncResult Track(string taskId)
    {
        var result = _pending.GetOrAdd(taskId, id => new AsyncResult(id, this));
        if (_unclaimed.TryGetValue(taskId, out var early) && result.OnReport(early))
        {
            _pending.TryRemove(taskId, out _);
        }

        return result;
    }

    private async Task EnsureQueueAsync(string queue, CancellationToken cancellationToken)
    {
        if (_declaredQueues.ContainsKey(queue))
        {
            return;
        }

        await using var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken);
        await CeleryTopology.DeclareTaskQueueAsync(channel, queue, cancellationToken);
        _declaredQueues[queue] = true;
    }

    private async Task OnResultAsync(object sender, BasicDeliverEventArgs e)
    {
        TaskResult result;
        try
        {
            result = TaskResult.Decode(e.Body.ToArray());
        }
        catch (MessageDecodeException ex)
        {
            Log.ResultUndecodable(_logger, ex.Message);
            return;
        }

        if (ResultObserver is { } observer)
        {
            await observer(result);
        }

        Match(result);
    }

    private void Match(TaskResult result)
    {
        if (_pending.TryGetValue(result.TaskId, out var pending))
        {
            if (!pending.OnReport(result))
            {
                return;
            }

            _pending.TryRemove(result.TaskId, out _);
        }

        // Nobody waits for it (yet), or its handle just finished: keep the latest few thousand, as Celery's client does,
        // so GetResult(id) after the fact still finds the outcome. A late report never replaces an outcome.
        if (!(_unclaimed.TryGetValue(result.TaskId, out var kept) && kept.State.IsFinal()))
        {
            _unclaimed[result.TaskId] = result;
            _unclaimedOrder.Enqueue(result.TaskId);
            while (_unclaimedOrder.Count > MaxUnclaimedResults && _unclaimedOrder.TryDequeue(out var oldest))
            {
                _unclaimed.TryRemove(oldest, out _);
            }
        }
    }
}
