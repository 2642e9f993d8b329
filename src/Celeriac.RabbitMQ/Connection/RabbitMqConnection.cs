using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Connection;

/// <summary>
/// The process's one connection to the broker, opened on first use and recovered automatically (with its
/// consumers and declared topology) when the network or the broker drops it.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
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
    /// The open connection. The first call connects, retrying with backoff while the broker is unreachable
    /// (as a Celery worker does at start) until <paramref name="cancellationToken"/> is signalled.
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
            for (var attempt = 0; ; attempt++)
            {
                if (_connection is { } existing)
                {
                    return existing;
                }

                try
                {
                    _connection = await CreateFactory().CreateConnectionAsync(_options.ClientName, cancellationToken);
                    Log.Connected(_logger, SafeUrl);
                    return _connection;
                }
                catch (Exception ex) when (ex is global::RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException
                                               && !cancellationToken.IsCancellationRequested)
                {
                    var delay = s_retryDelays[Math.Min(attempt, s_retryDelays.Length - 1)];
                    Log.ConnectFailed(_logger, SafeUrl, delay.TotalSeconds, ex.GetBaseException().Message);
                    await Task.Delay(delay, _time, cancellationToken);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

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
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromSeconds(2),
        RequestedHeartbeat = TimeSpan.FromSeconds(30),
    };
}
