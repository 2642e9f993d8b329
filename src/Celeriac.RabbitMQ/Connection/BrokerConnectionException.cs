namespace Celeriac.RabbitMQ.Connection;

/// <summary>
/// The broker cannot be used: it refused the credentials or the virtual host, or did not answer within
/// <see cref="RabbitMqOptions.ConnectTimeout"/>. The message is one line that names the URL (password masked) and
/// the reason, fit to show a person as it is.
/// </summary>
public sealed class BrokerConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerConnectionException(string safeUrl, string reason, Exception? inner = null)
        : base($"Cannot connect to {safeUrl}: {reason}", inner)
    {
        SafeUrl = safeUrl;
        Reason = reason;
    }

    /// <summary>The broker URL with its password masked.</summary>
    public string SafeUrl { get; }

    /// <summary>Why, in a few words.</summary>
    public string Reason { get; }
}
