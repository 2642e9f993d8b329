namespace Celeriac.Core.Control;

/// <summary>
/// The broker connection as <c>inspect stats</c> reports it under <c>broker</c> and <c>inspect conf</c> under
/// <c>broker_url</c>: what the connection was configured with, never a password.
/// </summary>
public sealed record BrokerConnectionInfo
{
    /// <summary>The transport, e.g. <c>amqp</c>.</summary>
    public required string Transport { get; init; }

    /// <summary>The broker's host name.</summary>
    public required string Hostname { get; init; }

    /// <summary>The broker's port.</summary>
    public required int Port { get; init; }

    /// <summary>The user name.</summary>
    public required string UserId { get; init; }

    /// <summary>The virtual host, e.g. <c>/</c>.</summary>
    public required string VirtualHost { get; init; }

    /// <summary>True for TLS (<c>amqps://</c>).</summary>
    public bool Ssl { get; init; }

    /// <summary>The URL with the password masked as Celery masks it (<c>********</c>).</summary>
    public required string SafeUrl { get; init; }

    /// <summary>The connection heartbeat asked for.</summary>
    public TimeSpan? Heartbeat { get; init; }

    /// <summary>How long a connection attempt may take.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>The client library and its version, e.g. <c>RabbitMQ.Client:7.1.2</c> (Celery shows <c>py-amqp:5.1.1</c>).</summary>
    public string? Driver { get; init; }
}
