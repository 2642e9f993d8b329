using Celeriac.Core.Control;
using Celeriac.Core.Events;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Topology;

/// <summary>
/// Declares exactly what Celery (kombu) declares, with the same names, flags and arguments, so Python and
/// Celeriac processes can start in any order without a 406 PRECONDITION_FAILED.
/// </summary>
public static class CeleryTopology
{
    /// <summary>The suffix of the queue a worker parks messages it cannot process in.</summary>
    public const string ParkingSuffix = "_error";

    /// <summary>
    /// A task queue as Celery's default routing declares it: a durable direct exchange and a durable queue
    /// of the same name, bound with the queue name as key, without arguments.
    /// </summary>
    public static Task DeclareTaskQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        DeclareTaskQueueAsync(channel, ConsumedQueue.Named(queue), cancellationToken);

    /// <summary>
    /// A task queue as Celery's worker declares one it is told to consume (<c>add_consumer</c>, kombu's
    /// <c>Queue(name, Exchange(exchange, type), routing_key)</c>): a durable exchange of the given name and type and a
    /// durable queue without arguments, bound with the routing key. The default exchange (<c>""</c>) is neither
    /// declared nor bound: every queue is on it already.
    /// </summary>
    public static async Task DeclareTaskQueueAsync(IChannel channel, ConsumedQueue queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(queue);
        if (queue.Exchange.Length > 0)
        {
            await channel.ExchangeDeclareAsync(queue.Exchange, queue.ExchangeType, durable: true, autoDelete: false, arguments: null,
                cancellationToken: cancellationToken);
        }

        await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
        if (queue.Exchange.Length > 0)
        {
            await channel.QueueBindAsync(queue.Name, queue.Exchange, queue.RoutingKey, arguments: null, cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Where messages that cannot be processed are kept: <c>{queue}_error</c>, durable, no arguments. A separate
    /// queue rather than a dead-letter argument, because adding arguments to the <c>celery</c> queue would
    /// make every Celery client's declare fail.
    /// </summary>
    public static async Task<string> DeclareParkingQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var parking = queue + ParkingSuffix;
        await channel.QueueDeclareAsync(parking, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
        return parking;
    }

    /// <summary>The <c>celeryev</c> topic exchange events go to.</summary>
    public static Task DeclareEventExchangeAsync(IChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.ExchangeDeclareAsync(EventOptions.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, arguments: null,
            cancellationToken: cancellationToken);
    }

    /// <summary>The remote-control exchanges: <c>celery.pidbox</c> (fanout) and <c>reply.celery.pidbox</c> (direct), both transient.</summary>
    public static async Task DeclareControlExchangesAsync(IChannel channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(ControlDispatcher.Exchange, ExchangeType.Fanout, durable: false, autoDelete: false, arguments: null,
            cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(ControlDispatcher.ReplyExchange, ExchangeType.Direct, durable: false, autoDelete: false, arguments: null,
            cancellationToken: cancellationToken);
    }

    /// <summary>A worker's command queue <c>{node}.celery.pidbox</c>, bound to the fanout exchange.</summary>
    public static async Task<string> DeclareNodeControlQueueAsync(IChannel channel, string hostname, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var queue = ControlDispatcher.QueueName(hostname);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 10_000, ["x-message-ttl"] = 300_000 }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, ControlDispatcher.Exchange, "", arguments: null, cancellationToken: cancellationToken);
        return queue;
    }

    /// <summary>A control client's reply queue <c>{oid}.reply.celery.pidbox</c>, bound with its oid.</summary>
    public static async Task<string> DeclareControlReplyQueueAsync(IChannel channel, string oid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var queue = $"{oid}.{ControlDispatcher.ReplyExchange}";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 10_000, ["x-message-ttl"] = 300_000 }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, ControlDispatcher.ReplyExchange, oid, arguments: null, cancellationToken: cancellationToken);
        return queue;
    }

    /// <summary>A client's rpc:// result queue: auto-delete, expiring after a day unused (<c>result_expires</c>).</summary>
    public static Task DeclareResultQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 86_400_000 }, cancellationToken: cancellationToken);
    }

    /// <summary>An event receiver's queue <c>celeryev.{uuid}</c>: events older than 5 s are dropped, the queue goes after a minute unused.</summary>
    public static async Task<string> DeclareEventReceiverQueueAsync(IChannel channel, string routingKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var queue = $"{EventOptions.Exchange}.{Guid.NewGuid()}";
        await DeclareEventExchangeAsync(channel, cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-message-ttl"] = 5_000, ["x-expires"] = 60_000 }, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, EventOptions.Exchange, routingKey, arguments: null, cancellationToken: cancellationToken);
        return queue;
    }

    /// <summary>
    /// A delay level of the task deferral: a durable fanout exchange and a durable queue of the same name whose messages
    /// expire after <paramref name="delay"/> and are dead-lettered to the default exchange with their own routing key,
    /// i.e. back to the task queue they came from. Celeriac's own names: no Celery client declares these.
    /// </summary>
    public static async Task DeclareDelayLevelAsync(IChannel channel, string name, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-message-ttl"] = (long)delay.TotalMilliseconds, ["x-dead-letter-exchange"] = "" },
            cancellationToken: cancellationToken);
        await channel.QueueBindAsync(name, name, "", arguments: null, cancellationToken: cancellationToken);
    }
}
