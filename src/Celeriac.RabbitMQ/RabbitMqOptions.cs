namespace Celeriac.RabbitMQ;

/// <summary>How to reach the broker.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>The default broker URL, the same as Celery's <c>pyamqp://guest@localhost//</c>.</summary>
    public const string DefaultUrl = "amqp://guest:guest@localhost:5672/";

    /// <summary>The broker URL, <c>amqp://user:password@host:port/vhost</c> (or <c>amqps://</c>).</summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>The connection name the broker's management UI shows.</summary>
    public string ClientName { get; set; } = $"celeriac@{Environment.MachineName}";

    /// <summary>How long to wait for the broker to confirm a publish before giving up on it.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to keep trying to reach a broker that does not answer before giving up with a
    /// <see cref="Connection.BrokerConnectionException"/>. Null (the default) keeps trying, as a Celery worker does;
    /// one-shot commands set a few seconds. Refused credentials or an unknown virtual host fail at once either way.
    /// </summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>The URL with the password masked, for logs.</summary>
    public string SafeUrl => MaskPassword(Url);

    /// <summary>The URL with the password of its user info replaced by <c>**</c>: what logs, banners and errors show.</summary>
    public static string MaskPassword(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
            ? url.Replace(uri.UserInfo, uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":**", StringComparison.Ordinal)
            : url;
}
