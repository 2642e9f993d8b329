using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// The declares Python Celery 5.2 (kombu) makes, with its exact flags and arguments (celery-protocol.md §1), made
/// through a plain RabbitMQ.Client channel. A mismatch with what exists fails with 406 PRECONDITION_FAILED.
/// </summary>
public static class CeleryDeclares
{
    /// <summary>What a Celery client declares before publishing a task: the <c>celery</c> exchange, queue and binding.</summary>
    public static async Task TaskQueueAsync(IChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync("celery", ExchangeType.Direct, durable: true, autoDelete: false, arguments: null);
        await channel.QueueDeclareAsync("celery", durable: true, exclusive: false, autoDelete: false, arguments: null);
        await channel.QueueBindAsync("celery", "celery", "celery", arguments: null);
    }

    /// <summary>What an event sender or receiver declares: the <c>celeryev</c> topic exchange.</summary>
    public static Task EventExchangeAsync(IChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.ExchangeDeclareAsync("celeryev", ExchangeType.Topic, durable: true, autoDelete: false, arguments: null);
    }

    /// <summary>What a control client declares: the <c>celery.pidbox</c> fanout and <c>reply.celery.pidbox</c> direct exchanges, both transient.</summary>
    public static async Task ControlExchangesAsync(IChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await channel.ExchangeDeclareAsync("celery.pidbox", ExchangeType.Fanout, durable: false, autoDelete: false, arguments: null);
        await channel.ExchangeDeclareAsync("reply.celery.pidbox", ExchangeType.Direct, durable: false, autoDelete: false, arguments: null);
    }

    /// <summary>What a Python worker declares for its node: <c>{node}.celery.pidbox</c>, bound to the fanout exchange.</summary>
    public static async Task NodeControlQueueAsync(IChannel channel, string node)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var queue = $"{node}.celery.pidbox";
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 10_000, ["x-message-ttl"] = 300_000 });
        await channel.QueueBindAsync(queue, "celery.pidbox", "", arguments: null);
    }

    /// <summary>Everything a Python worker named <paramref name="node"/> and its clients declare.</summary>
    public static async Task AllAsync(IChannel channel, string node)
    {
        await TaskQueueAsync(channel);
        await EventExchangeAsync(channel);
        await ControlExchangesAsync(channel);
        await NodeControlQueueAsync(channel, node);
    }
}
