using System.Collections.Concurrent;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Publishing;

/// <summary>
/// Publishes on two shared channels: one in confirm mode for messages that must not be lost (tasks,
/// results, parked messages) and one without confirms for events and control replies. Either channel
/// is reopened when the broker closes it.
/// </summary>
/// <remarks>
/// Confirms are tracked here rather than by RabbitMQ.Client: its tracking stamps an <c>x-dotnet-pub-seq-no</c>
/// header on every message (Celery's results carry empty headers), and in 7.1 a publish cancelled mid-way
/// corrupts it. A publish is never cancelled once sent; the caller stops waiting instead.
/// </remarks>
internal sealed class RabbitMqPublisher : IMessagePublisher, IAsyncDisposable
{
    private readonly PublishChannel _confirmed;
    private readonly PublishChannel _unconfirmed;
    private readonly TimeSpan _timeout;

    public RabbitMqPublisher(RabbitMqConnection connection, IOptions<RabbitMqOptions> options, TimeProvider time, ILogger<RabbitMqPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _confirmed = new PublishChannel(connection, confirms: true, time, logger);
        _unconfirmed = new PublishChannel(connection, confirms: false, time, logger);
        _timeout = options.Value.PublishTimeout;
    }

    public async ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var channel = message.RequiresConfirmation ? _confirmed : _unconfirmed;
        var confirmed = await channel.SendAsync(message, AmqpMessageMapper.ToProperties(message.Message), cancellationToken);
        await confirmed.WaitAsync(_timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _confirmed.DisposeAsync();
        await _unconfirmed.DisposeAsync();
    }

    private sealed class PublishChannel(RabbitMqConnection connection, bool confirms, TimeProvider time, ILogger logger) : IAsyncDisposable
    {
        private static readonly TimeSpan s_recoveryWait = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan s_recoveryPoll = TimeSpan.FromMilliseconds(50);

        private readonly SemaphoreSlim _openLock = new(1, 1);
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private Session? _session;

        /// <summary>Sends the message; the returned task completes when the broker confirmed it (at once without confirms).</summary>
        public async Task<Task> SendAsync(OutgoingMessage message, BasicProperties properties, CancellationToken cancellationToken)
        {
            for (var attempt = 0; ; attempt++)
            {
                var session = await GetAsync(cancellationToken);
                try
                {
                    return confirms ? await SendConfirmedAsync(session, message, properties, cancellationToken) : await SendAsync(session, message, properties);
                }
                catch (AlreadyClosedException) when (attempt == 0)
                {
                    // Closed before the message went out (a publish to a missing exchange closes the channel, and so does the
                    // broker going away): once more, on whatever channel GetAsync finds or opens now, or failing fast without one.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_session is { } session)
            {
                _session = null;
                await session.CloseAsync();
            }

            _openLock.Dispose();
            _sendLock.Dispose();
        }

        private static async Task<Task> SendAsync(Session session, OutgoingMessage message, BasicProperties properties)
        {
            await session.Channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, properties, message.Message.Body, CancellationToken.None);
            return Task.CompletedTask;
        }

        private async Task<Task> SendConfirmedAsync(Session session, OutgoingMessage message, BasicProperties properties, CancellationToken cancellationToken)
        {
            // The broker numbers confirms in the order messages arrive: take the number and send under one lock.
            await _sendLock.WaitAsync(cancellationToken);
            ulong sequence = 0;
            try
            {
                sequence = await session.Channel.GetNextPublishSequenceNumberAsync(CancellationToken.None);
                var confirmed = session.Expect(sequence);
                await session.Channel.BasicPublishAsync(message.Exchange, message.RoutingKey, mandatory: false, properties, message.Message.Body,
                    CancellationToken.None);
                return confirmed;
            }
            catch
            {
                session.Forget(sequence);
                throw;
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>
        /// The session to publish on. A channel the broker closed by itself (a channel error) is replaced; one that closed
        /// with the connection is the client library's to recover with it, so while the broker is away this fails at once
        /// (the caller answers "unavailable"), and once the connection is back it waits briefly for the recovered channel.
        /// </summary>
        /// <remarks>
        /// Invariant: <see cref="_session"/> never holds a disposed channel. A channel is dropped from it before it is
        /// disposed, so no later call can touch a disposed object (which once made every publish fail for good after a
        /// broker restart).
        /// </remarks>
        private async ValueTask<Session> GetAsync(CancellationToken cancellationToken)
        {
            if (_session is { Channel.IsOpen: true } open)
            {
                return open;
            }

            await _openLock.WaitAsync(cancellationToken);
            try
            {
                var live = await connection.GetAsync(cancellationToken);
                if (_session is { } current)
                {
                    if (current.Channel.IsOpen)
                    {
                        return current;
                    }

                    var reason = current.Channel.CloseReason;
                    if (!IsChannelError(reason))
                    {
                        if (!live.IsOpen)
                        {
                            // The broker is away: the connection recovers this channel when it comes back.
                            throw new AlreadyClosedException(reason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 320, "The broker connection is down"));
                        }

                        if (await WaitForRecoveryAsync(current.Channel, cancellationToken))
                        {
                            return current;
                        }
                    }

                    _session = null;
                    Log.PublishChannelReplaced(logger, reason?.ReplyText ?? "closed");
                    await current.DisposeAsync();
                }

                // Confirms on, the client's own tracking off (see the class remarks). Throws while the broker is away.
                var channel = await live.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: false), cancellationToken);
                _session = new Session(channel);
                return _session;
            }
            finally
            {
                _openLock.Release();
            }
        }

        /// <summary>
        /// Closed by the broker for this channel alone (a publish to a missing exchange: 404, a precondition: 406, ...):
        /// the connection will not bring it back. Closed with the connection (320 connection-forced, or the socket lost,
        /// which the library reports as its own) it will.
        /// </summary>
        private static bool IsChannelError(ShutdownEventArgs? reason) =>
            reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: >= 311 and <= 313 or >= 403 and <= 406 };

        /// <summary>
        /// The connection is back; the library reopens its channels just after it has redeclared the topology. Waits a
        /// little for that rather than open a second channel beside one that is about to come back.
        /// </summary>
        private async Task<bool> WaitForRecoveryAsync(IChannel channel, CancellationToken cancellationToken)
        {
            for (var waited = TimeSpan.Zero; waited < s_recoveryWait; waited += s_recoveryPoll)
            {
                await Task.Delay(s_recoveryPoll, time, cancellationToken);
                if (channel.IsOpen)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A channel and the confirms it still owes, by publish sequence number.</summary>
    /// <remarks>
    /// The publishers a confirm answers are answered together on one thread-pool work item, their continuations run
    /// there in turn: never on the client's own thread, which reads the connection for every channel, and not as a
    /// work item each (one <c>basic.ack</c> with <c>multiple</c> often confirms a dozen results).
    /// </remarks>
    private sealed class Session
    {
        private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _pending = new();

        public Session(IChannel channel)
        {
            Channel = channel;
            channel.BasicAcksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, null);
            channel.BasicNacksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, "The broker refused the message (basic.nack).");
            channel.ChannelShutdownAsync += (_, e) => FailAll(e);
        }

        public IChannel Channel { get; }

        public Task Expect(ulong sequence)
        {
            var confirmed = new TaskCompletionSource();
            _pending[sequence] = confirmed;
            return confirmed.Task;
        }

        public void Forget(ulong sequence) => _pending.TryRemove(sequence, out _);

        public Task CloseAsync() => Channel.CloseQuietlyAsync();

        /// <summary>Lets go of a channel that is already closed (nothing to send the broker).</summary>
        public ValueTask DisposeAsync() => Channel.DisposeAsync();

        private Task Settle(ulong tag, bool multiple, string? refusal)
        {
            Answer(Take(multiple ? _pending.Keys.Where(s => s <= tag) : [tag]), refusal is null ? null : new IOException(refusal));
            return Task.CompletedTask;
        }

        private Task FailAll(ShutdownEventArgs reason)
        {
            // Sent but never confirmed: whether the broker has them is unknown, so the callers must not assume it.
            Answer(Take(_pending.Keys), new AlreadyClosedException(reason));
            return Task.CompletedTask;
        }

        private List<TaskCompletionSource> Take(IEnumerable<ulong> sequences)
        {
            var taken = new List<TaskCompletionSource>();
            foreach (var sequence in sequences.ToArray())
            {
                if (_pending.TryRemove(sequence, out var confirmed))
                {
                    taken.Add(confirmed);
                }
            }

            return taken;
        }

        private static void Answer(List<TaskCompletionSource> publishers, Exception? error)
        {
            if (publishers.Count == 0)
            {
                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(static state =>
            {
                var (publishers, error) = state;
                foreach (var confirmed in publishers)
                {
                    if (error is null)
                    {
                        confirmed.TrySetResult();
                    }
                    else
                    {
                        confirmed.TrySetException(error);
                    }
                }
            }, (publishers, error), preferLocal: false);
        }
    }
}
