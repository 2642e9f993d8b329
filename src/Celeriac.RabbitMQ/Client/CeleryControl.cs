using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Celeriac.Core.Control;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Topology;
using RabbitMQ.Client.Events;
using DeliveryModes = Celeriac.Core.Transport.DeliveryModes;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// Remote control of workers over the pidbox exchange, like Celery's <c>app.control</c>: revoke, ping,
/// inspect and any other broadcast command. Works with Celery and Celeriac workers alike.
/// </summary>
public sealed class CeleryControl : IAsyncDisposable
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(1);

    private readonly RabbitMqConnection _connection;
    private readonly IMessagePublisher _publisher;
    private readonly LamportClock _clock;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ReplyCollector> _waiting = new(StringComparer.Ordinal);
    private readonly string _oid = Guid.NewGuid().ToString();
    private readonly ReplyConsumer _replies;
    private volatile bool _exchangesDeclared;

    internal CeleryControl(RabbitMqConnection connection, IMessagePublisher publisher, LamportClock clock, TimeProvider time)
    {
        _connection = connection;
        _publisher = publisher;
        _clock = clock;
        _time = time;
        _replies = new ReplyConsumer(connection, async (channel, cancellationToken) =>
        {
            await CeleryTopology.DeclareControlExchangesAsync(channel, cancellationToken);
            return await CeleryTopology.DeclareControlReplyQueueAsync(channel, _oid, cancellationToken);
        }, OnReplyAsync);
    }

    /// <summary>
    /// Revokes a task on every worker. With <paramref name="terminate"/> a running task is stopped. With
    /// <paramref name="reply"/> waits for the workers' answers (like <c>app.control.revoke(id, reply=True)</c>).
    /// </summary>
    public Task<IReadOnlyDictionary<string, JsonElement>> RevokeAsync(string taskId, bool terminate = false, string? signal = null, bool reply = false,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        BroadcastAsync("revoke", new Dictionary<string, object?> { ["task_id"] = taskId, ["terminate"] = terminate, ["signal"] = signal },
            reply, timeout, cancellationToken: cancellationToken);

    /// <summary>Pings every worker; the answers by node name (<c>{"ok": "pong"}</c>).</summary>
    public Task<IReadOnlyDictionary<string, JsonElement>> PingAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        BroadcastAsync("ping", null, reply: true, timeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Runs an <c>inspect()</c> query (<c>active</c>, <c>reserved</c>, <c>scheduled</c>, <c>revoked</c>,
    /// <c>registered</c>, <c>stats</c>, ...) on every worker; the answers by node name.
    /// </summary>
    public Task<IReadOnlyDictionary<string, JsonElement>> InspectAsync(string method, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        BroadcastAsync(method, null, reply: true, timeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Broadcasts a command. Without <paramref name="reply"/> returns at once with no answers; with it,
    /// collects answers until <paramref name="timeout"/> (1 s by default) or until every node in
    /// <paramref name="destination"/> answered.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> BroadcastAsync(string method, IReadOnlyDictionary<string, object?>? arguments,
        bool reply, TimeSpan? timeout = null, IReadOnlyList<string>? destination = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        var wait = timeout ?? s_defaultTimeout;
        string? ticket = null;
        ReplyCollector? collector = null;
        if (reply)
        {
            await _replies.EnsureStartedAsync(cancellationToken);
            ticket = Guid.NewGuid().ToString();
            collector = new ReplyCollector(destination?.Count);
            _waiting[ticket] = collector;
        }
        else
        {
            await EnsureExchangesAsync(cancellationToken);
        }

        try
        {
            var expires = reply ? (object)(CeleryTime.ToUnixSeconds(_time.GetUtcNow()) + wait.TotalSeconds) : 0;
            var message = new TransportMessage
            {
                Body = EncodeRequest(method, arguments, destination, ticket),
                ContentType = TaskMessageCodec.JsonContentType,
                ContentEncoding = "utf-8",
                DeliveryMode = DeliveryModes.Persistent,
                Headers = new Dictionary<string, object?> { ["clock"] = _clock.Forward(), ["expires"] = expires },
            };
            await _publisher.PublishAsync(new OutgoingMessage(ControlDispatcher.Exchange, "", message), cancellationToken);
            if (collector is null)
            {
                return new Dictionary<string, JsonElement>();
            }

            await Task.WhenAny(collector.Complete, Task.Delay(wait, _time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            return collector.Snapshot();
        }
        finally
        {
            if (ticket is not null)
            {
                _waiting.TryRemove(ticket, out _);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _replies.DisposeAsync();

    private ReadOnlyMemory<byte> EncodeRequest(string method, IReadOnlyDictionary<string, object?>? arguments, IReadOnlyList<string>? destination,
        string? ticket)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("method", method);
            writer.WritePropertyName("arguments");
            JsonSerializer.Serialize(writer, arguments ?? new Dictionary<string, object?>(), CeleryJson.Options);
            writer.WritePropertyName("destination");
            JsonSerializer.Serialize(writer, destination, CeleryJson.Options);
            writer.WriteNull("pattern");
            writer.WriteNull("matcher");
            if (ticket is not null)
            {
                writer.WriteString("ticket", ticket);
                writer.WriteStartObject("reply_to");
                writer.WriteString("exchange", ControlDispatcher.ReplyExchange);
                writer.WriteString("routing_key", _oid);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private async Task EnsureExchangesAsync(CancellationToken cancellationToken)
    {
        if (_exchangesDeclared)
        {
            return;
        }

        // As kombu's Mailbox does (declare=[exchange]): before any worker ran, celery.pidbox does not exist, and
        // publishing to a missing exchange closes the channel (404) instead of dropping the command.
        await using var channel = await _connection.CreateChannelAsync(confirms: false, cancellationToken);
        await CeleryTopology.DeclareControlExchangesAsync(channel, cancellationToken);
        _exchangesDeclared = true;
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs e)
    {
        var headers = e.BasicProperties.Headers is { } table ? Publishing.AmqpMessageMapper.FromAmqpTable(table) : TransportMessage.EmptyHeaders;
        if (headers.TryGetValue("ticket", out var ticket) && ticket is string id && _waiting.TryGetValue(id, out var collector))
        {
            if (headers.TryGetValue("clock", out var clock) && clock is int or long)
            {
                _clock.Adjust(Convert.ToInt64(clock, System.Globalization.CultureInfo.InvariantCulture));
            }

            try
            {
                using var document = JsonDocument.Parse(e.Body);
                foreach (var node in document.RootElement.EnumerateObject())
                {
                    collector.Add(node.Name, node.Value.Clone());
                }
            }
            catch (JsonException)
            {
                // A reply that is not JSON is not one of ours to read.
            }
        }

        return Task.CompletedTask;
    }

    private sealed class ReplyCollector(int? expected)
    {
        private readonly ConcurrentDictionary<string, JsonElement> _replies = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Complete => _complete.Task;

        public void Add(string node, JsonElement reply)
        {
            _replies[node] = reply;
            if (expected is { } count && _replies.Count >= count)
            {
                _complete.TrySetResult();
            }
        }

        public IReadOnlyDictionary<string, JsonElement> Snapshot() => new Dictionary<string, JsonElement>(_replies, StringComparer.Ordinal);
    }
}
