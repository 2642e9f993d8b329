namespace Celeriac.Core.Transport;

/// <summary>
/// The broker cannot be reached right now (it is restarting, or the network is down) and the transport is
/// reconnecting by itself: the operation did not happen, and the same call can succeed once the broker is back.
/// Hosts answer it as "unavailable, try again" (HTTP 503 with <c>Retry-After</c>), not as a fault of their own.
/// </summary>
public sealed class BrokerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUnavailableException()
        : base("The broker is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the transport's own error.</summary>
    public BrokerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
