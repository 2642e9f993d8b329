using Celeriac.RabbitMQ.Connection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// A client's private reply queue (rpc:// results, remote-control replies), declared and consumed on first use
/// with automatic acks, on a channel of its own.
/// </summary>
/// <param name="connection">The broker connection.</param>
/// <param name="declare">Declares the queue on the given channel and returns its name.</param>
/// <param name="onMessage">Handles each message.</param>
internal sealed class ReplyConsumer(
    RabbitMqConnection connection,
    Func<IChannel, CancellationToken, Task<string>> declare,
    AsyncEventHandler<BasicDeliverEventArgs> onMessage) : IAsyncDisposable
{
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private IChannel? _channel;

    /// <summary>Declares the queue and starts consuming, once.</summary>
    public async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_channel is not null)
        {
            return;
        }

        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_channel is not null)
            {
                return;
            }

            var channel = await connection.CreateChannelAsync(confirms: false, cancellationToken);
            var queue = await declare(channel, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += onMessage;
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken);
            _channel = channel;
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
        {
            _channel = null;
            await channel.CloseQuietlyAsync();
        }

        _startLock.Dispose();
    }
}
