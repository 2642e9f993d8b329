using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Publishing;

/// <summary>
/// Publishes on two shared channels: one in confirm mode for messages that must not be lost (tasks,
/// results, parked messages) and one without confirms for events and control replies. Either channel
/// is reopened when the broker closes it.
/// </summary>
internal sealed class RabbitMqPublisher : IMessagePublisher, IAsyncDisposable
{
    private readonly PublishChannel _confirmed;
    private readonly PublishChannel _unconfirmed;
    private readonly TimeSpan _timeout;

    public RabbitMqPublisher(RabbitMqConnection connection, IOptions<RabbitMqOptions> options, ILogger<RabbitMqPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _confirmed = new PublishChannel(connection, confirms: true, logger);
        _unconfirmed = new PublishChannel(connection, confirms: false, logger);
        _timeout = options.Value.PublishTimeout;
    }

    public async ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var slot = message.RequiresConfirmation ? _confirmed : _unconfirmed;
        var properties = AmqpMessageMapper.ToProperties(message.Message);
        for (var attempt = 0; ; attempt++)
        {
            var channel = await slot.GetAsync(cancellationToken);
            try
            {
                // RabbitMQ.Client 7.1 corrupts its confirm tracking when a publish is cancelled mid-way, so the
                // publish itself is never cancelled: we stop waiting for it instead.
                await channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, properties, message.Message.Body, CancellationToken.None)
                    .AsTask()
                    .WaitAsync(_timeout, cancellationToken);
                return;
            }
            catch (AlreadyClosedException ex) when (attempt == 0)
            {
                slot.Replace(channel, ex.ShutdownReason?.ReplyText ?? ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _confirmed.DisposeAsync();
        await _unconfirmed.DisposeAsync();
    }

    private sealed class PublishChannel(RabbitMqConnection connection, bool confirms, ILogger logger) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private IChannel? _channel;

        public async ValueTask<IChannel> GetAsync(CancellationToken cancellationToken)
        {
            if (_channel is { IsOpen: true } open)
            {
                return open;
            }

            await _lock.WaitAsync(cancellationToken);
            try
            {
                if (_channel is { IsOpen: true } current)
                {
                    return current;
                }

                if (_channel is { } closed)
                {
                    Log.PublishChannelReplaced(logger, closed.CloseReason?.ReplyText ?? "closed");
                    closed.Dispose();
                }

                _channel = await connection.CreateChannelAsync(confirms, cancellationToken);
                return _channel;
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Replace(IChannel broken, string reason)
        {
            if (ReferenceEquals(Interlocked.CompareExchange(ref _channel, null, broken), broken))
            {
                Log.PublishChannelReplaced(logger, reason);
                broken.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_channel is { } channel)
            {
                _channel = null;
                if (channel.IsOpen)
                {
                    try
                    {
                        await channel.CloseAsync();
                    }
                    catch (Exception ex) when (ex is AlreadyClosedException or OperationCanceledException or IOException)
                    {
                        // The connection is already gone.
                    }
                }

                channel.Dispose();
            }

            _lock.Dispose();
        }
    }
}
