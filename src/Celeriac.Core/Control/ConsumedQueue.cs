namespace Celeriac.Core.Control;

/// <summary>
/// A task queue a worker consumes, with the exchange it is bound to, as <c>inspect active_queues</c> reports it and
/// <c>add_consumer</c> asks for it. Celery's default for a queue named alone: a durable direct exchange of the same
/// name, bound with the queue's name as routing key (what the worker declares for its <c>-Q</c> queues).
/// </summary>
/// <param name="Name">The queue.</param>
/// <param name="Exchange">The exchange it is bound to.</param>
/// <param name="ExchangeType">The exchange's type: <c>direct</c>, <c>topic</c>, <c>fanout</c>.</param>
/// <param name="RoutingKey">The binding's routing key.</param>
public sealed record ConsumedQueue(string Name, string Exchange, string ExchangeType, string RoutingKey)
{
    /// <summary>The queue as Celery declares a queue named alone.</summary>
    public static ConsumedQueue Named(string name) => new(name, name, "direct", name);
}
