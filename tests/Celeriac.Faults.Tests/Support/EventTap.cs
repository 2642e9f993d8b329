using System.Text.Json;
using Celeriac.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// An independent view of the <c>celeryev</c> exchange: a plain AMQP connection of its own (no recovery, no Celeriac
/// code) with an exclusive queue bound to every event, opened after the broker is back. What it sees is what any
/// Celery monitor would see.
/// </summary>
public sealed class EventTap : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly List<JsonElement> _events = [];
    private readonly Lock _lock = new();

    private EventTap(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Connects to the vhost and starts collecting events.</summary>
    public static async Task<EventTap> StartAsync(RabbitMqVirtualHost vhost)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var connection = await new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl), AutomaticRecoveryEnabled = false }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        // Passive: the worker declares the exchange; the tap must not paper over a worker that never did.
        await channel.ExchangeDeclarePassiveAsync("celeryev");
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, "celeryev", "#");
        var tap = new EventTap(connection, channel);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            tap.Add(e.Body);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return tap;
    }

    /// <summary>Waits for an event of <paramref name="type"/> from <paramref name="hostname"/>, optionally about one task.</summary>
    public async Task<JsonElement> WaitForAsync(string type, string hostname, string? taskId = null, TimeSpan? timeout = null)
    {
        JsonElement? found = null;
        await Eventually.WaitAsync(() => (found = Find(type, hostname, taskId)) is not null, timeout ?? FaultTimeouts.Short,
            $"a {type} event from {hostname}{(taskId is null ? "" : $" about task {taskId}")} on celeryev");
        return found!.Value;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
        }
        catch (Exception ex) when (ex is global::RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
        {
            // The broker went away again: nothing to close.
        }

        _channel.Dispose();
        _connection.Dispose();
    }

    private void Add(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            lock (_lock)
            {
                // A prefork Celery worker batches events in a list; a Celeriac worker sends one object per message.
                if (document.RootElement.ValueKind == JsonValueKind.Array)
                {
                    _events.AddRange(document.RootElement.EnumerateArray().Select(e => e.Clone()));
                }
                else
                {
                    _events.Add(document.RootElement.Clone());
                }
            }
        }
        catch (JsonException)
        {
            // Not an event.
        }
    }

    private JsonElement? Find(string type, string hostname, string? taskId)
    {
        lock (_lock)
        {
            foreach (var e in _events)
            {
                if (e.ValueKind == JsonValueKind.Object && Text(e, "type") == type && Text(e, "hostname") == hostname && (taskId is null || Text(e, "uuid") == taskId))
                {
                    return e;
                }
            }
        }

        return null;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
