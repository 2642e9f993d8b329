using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Connection;

/// <summary>
/// The process's one connection to the broker, opened on first use and recovered automatically (with its
/// consumers and declared topology) when the network or the broker drops it.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    /// <summary>How often a lost connection is tried again (the library's recovery interval).</summary>
    internal static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan[] s_retryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    private readonly RabbitMqOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RabbitMqConnection> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IConnection? _connection;

    /// <summary>Creates the connection holder; nothing is opened yet.</summary>
    public RabbitMqConnection(IOptions<RabbitMqOptions> options, TimeProvider time, ILogger<RabbitMqConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The broker URL with its password masked.</summary>
    public string SafeUrl => _options.SafeUrl;

    /// <summary>
    /// The open connection. The first call connects, retrying with backoff while the broker is unreachable (as a
    /// Celery worker does at start) until <paramref name="cancellationToken"/> is signalled or
    /// <see cref="RabbitMqOptions.ConnectTimeout"/> has passed. Refused credentials and an unknown virtual host throw
    /// a <see cref="BrokerConnectionException"/> at once: retrying would not change them.
    /// </summary>
    public async ValueTask<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } open)
        {
            return open;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var started = _time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                if (_connection is { } existing)
                {
                    return existing;
                }

                try
                {
                    var connection = await CreateFactory().CreateConnectionAsync(_options.ClientName, cancellationToken);
                    await CheckVirtualHostAsync(connection, cancellationToken);
                    connection.ConnectionShutdownAsync += OnShutdownAsync;
                    connection.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
                    connection.RecoverySucceededAsync += OnRecoveredAsync;
                    _connection = connection;
                    Log.Connected(_logger, SafeUrl);
                    return connection;
                }
                catch (BrokerUnreachableException ex) when (ex.InnerException is AuthenticationFailureException)
                {
                    throw new BrokerConnectionException(SafeUrl, "the broker refused the user name or password (ACCESS_REFUSED)", ex);
                }
                catch (Exception ex) when (ex is BrokerUnreachableException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    var reason = ex.GetBaseException().Message;
                    var delay = s_retryDelays[Math.Min(attempt - 1, s_retryDelays.Length - 1)];
                    if (_options.ConnectTimeout is { } limit && _time.GetElapsedTime(started) + delay > limit)
                    {
                        throw new BrokerConnectionException(SafeUrl, $"{reason} (gave up after {attempt} attempt(s))", ex);
                    }

                    // A worker says each attempt; a one-shot command (with a time limit) says only how it ended.
                    Log.ConnectFailed(_logger, _options.ConnectTimeout is null ? LogLevel.Error : LogLevel.Debug, SafeUrl, reason, delay.TotalSeconds, attempt);
                    await Task.Delay(delay, _time, cancellationToken);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    // The broker accepts a connection to a virtual host that does not exist and closes it a moment later; a first
    // channel finds out at once, so the error names the virtual host instead of surfacing in whatever opens a channel next.
    // When the close has already arrived, opening the channel fails without a reason of its own (the client's frame
    // writer is closed), and the connection holds the broker's reason.
    private async Task CheckVirtualHostAsync(IConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await probe.CloseAsync(cancellationToken);
        }
        catch (Exception ex) when (ClosedFor(ex, connection) is { ReplyCode: 530 or 403 } reason)
        {
            await connection.DisposeAsync();
            var vhost = Uri.UnescapeDataString(new Uri(_options.Url).AbsolutePath.TrimStart('/'));
            throw new BrokerConnectionException(SafeUrl,
                $"the virtual host '{(vhost.Length == 0 ? "/" : vhost)}' does not exist or this user may not use it ({reason.ReplyText})", ex);
        }
    }

    private static ShutdownEventArgs? ClosedFor(Exception ex, IConnection connection) =>
        (ex as OperationInterruptedException)?.ShutdownReason ?? connection.CloseReason;

    /// <summary>Opens a new channel on the connection.</summary>
    public async ValueTask<IChannel> CreateChannelAsync(bool confirms, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(cancellationToken);
        return await connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            try
            {
                await connection.CloseAsync();
            }
            catch (Exception ex) when (ChannelClosing.IsConnectionGone(ex))
            {
                // Already gone: nothing to close.
            }

            connection.Dispose();
        }

        _lock.Dispose();
    }

    private ConnectionFactory CreateFactory() => new()
    {
        Uri = new Uri(_options.Url),
        // The library reconnects every NetworkRecoveryInterval for as long as it takes, then redeclares the recorded
        // topology and reopens every channel with its consumers and QoS. Publishing channels ride on that too (see
        // RabbitMqPublisher): nothing here has to be rebuilt by hand after the broker comes back.
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = RecoveryInterval,
        RequestedHeartbeat = Heartbeat,
    };

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        // Our own close (DisposeAsync) is no loss.
        if (e.Initiator != ShutdownInitiator.Application)
        {
            Log.ConnectionLost(_logger, SafeUrl, e.ReplyText, RecoveryInterval.TotalSeconds);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        Log.ReconnectFailed(_logger, SafeUrl, e.Exception.GetBaseException().Message, RecoveryInterval.TotalSeconds);
        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        Log.Reconnected(_logger, SafeUrl);
        return Task.CompletedTask;
    }

    /// <summary>The AMQP heartbeat the connection asks for.</summary>
    internal static TimeSpan Heartbeat { get; } = TimeSpan.FromSeconds(30);
}
