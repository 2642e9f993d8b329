using System.Text;
using Celeriac.Testing;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// A plain RabbitMQ.Client connection to the test's virtual host, for doing what Python Celery does on the wire
/// (declares, publishes) and for reading what Celeriac put there, exactly as it arrives.
/// </summary>
public sealed class RawAmqp : IAsyncDisposable
{
    private readonly IConnection _connection;

    private RawAmqp(IConnection connection, IChannel channel)
    {
        _connection = connection;
        Channel = channel;
    }

    /// <summary>A channel for the test's own use. A declare that fails closes it; use <see cref="OpenChannelAsync"/> for those.</summary>
    public IChannel Channel { get; }

    public static async Task<RawAmqp> ConnectAsync(RabbitMqVirtualHost virtualHost)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        var factory = new ConnectionFactory { Uri = new Uri(virtualHost.AmqpUrl), ClientProvidedName = "test-raw" };
        var connection = await factory.CreateConnectionAsync();
        return new RawAmqp(connection, await connection.CreateChannelAsync());
    }

    /// <summary>A new channel (the caller disposes it).</summary>
    public Task<IChannel> OpenChannelAsync() => _connection.CreateChannelAsync();

    /// <summary>Takes the next message from a queue (auto-ack), waiting for one to arrive.</summary>
    public async Task<BasicGetResult> GetAsync(string queue, TimeSpan timeout, string what)
    {
        BasicGetResult? result = null;
        await Eventually.WaitAsync(async () => (result = await Channel.BasicGetAsync(queue, autoAck: true)) is not null, timeout, what);
        return result!;
    }

    /// <summary>
    /// Takes messages from a queue (auto-ack) until one matches; the others are dropped. For queues several tests of a
    /// class write to, such as <c>celery_error</c>.
    /// </summary>
    public async Task<BasicGetResult> GetMatchingAsync(string queue, Func<BasicGetResult, bool> match, TimeSpan timeout, string what)
    {
        BasicGetResult? found = null;
        await Eventually.WaitAsync(async () =>
        {
            while (await Channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                if (match(message))
                {
                    found = message;
                    return true;
                }
            }

            return false;
        }, timeout, what);
        return found!;
    }

    /// <summary>Declares a reply queue the way a Python client declares its rpc:// queue; returns its name.</summary>
    public async Task<string> DeclareReplyQueueAsync()
    {
        var queue = Guid.NewGuid().ToString();
        await Channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 86_400_000 });
        return queue;
    }

    /// <summary>Publishes a message to the default exchange as Python Celery 5.2 publishes a task (or anything else in the body).</summary>
    public async Task PublishAsync(string queue, byte[] body, BasicProperties properties)
    {
        await Channel.BasicPublishAsync("", queue, mandatory: false, properties, body);
    }

    /// <summary>The properties and headers Python Celery 5.2 sends with a task (strings as AMQP long strings).</summary>
    public static BasicProperties CeleryTaskProperties(string id, string taskName, string? replyTo, string argsRepr = "()", string kwargsRepr = "{}")
    {
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            CorrelationId = id,
            DeliveryMode = DeliveryModes.Persistent,
            Priority = 0,
            Headers = new Dictionary<string, object?>
            {
                ["lang"] = "py",
                ["task"] = taskName,
                ["id"] = id,
                ["shadow"] = null,
                ["eta"] = null,
                ["expires"] = null,
                ["group"] = null,
                ["group_index"] = null,
                ["retries"] = 0,
                ["timelimit"] = new List<object?> { null, null },
                ["root_id"] = id,
                ["parent_id"] = null,
                ["argsrepr"] = argsRepr,
                ["kwargsrepr"] = kwargsRepr,
                ["origin"] = "gen4242@python-client",
                ["ignore_result"] = false,
                ["replaced_task_nesting"] = 0,
                ["stamped_headers"] = null,
                ["stamps"] = new Dictionary<string, object?>(),
            },
        };
        if (replyTo is not null)
        {
            properties.ReplyTo = replyTo;
        }

        return properties;
    }

    /// <summary>A protocol 2 body: <c>[args, kwargs, embed]</c>.</summary>
    public static byte[] CeleryTaskBody(string argsJson, string kwargsJson = "{}") =>
        Encoding.UTF8.GetBytes($$"""[{{argsJson}}, {{kwargsJson}}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]""");

    /// <summary>Reads a header written as an AMQP long string ('S'), which RabbitMQ.Client hands over as bytes.</summary>
    public static string LongString(IReadOnlyBasicProperties properties, string header)
    {
        ArgumentNullException.ThrowIfNull(properties);
        Assert.True(properties.Headers?.ContainsKey(header) == true, $"Expected the header '{header}'; the headers are [{string.Join(", ", properties.Headers?.Keys ?? [])}].");
        var value = properties.Headers![header];
        var bytes = Assert.IsType<byte[]>(value);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Channel.IsOpen)
            {
                await Channel.CloseAsync();
            }

            await _connection.CloseAsync();
        }
        finally
        {
            Channel.Dispose();
            _connection.Dispose();
        }
    }
}
