using System.Reflection;
using Celeriac.Core.Control;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Connection;

/// <summary>
/// How the worker reaches RabbitMQ, for <c>inspect stats</c> and <c>inspect conf</c>: from the configured URL and the
/// connection's settings. Register it as <see cref="IBrokerInfo"/> for those replies to show the broker.
/// </summary>
public sealed class RabbitMqBrokerInfo(IOptions<RabbitMqOptions> options) : IBrokerInfo
{
    private static readonly string s_driver = "RabbitMQ.Client:" + (typeof(ConnectionFactory).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");

    /// <inheritdoc />
    public BrokerConnectionInfo Describe()
    {
        var uri = new Uri(options.Value.Url);
        var factory = new ConnectionFactory { Uri = uri };
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        return new BrokerConnectionInfo
        {
            Transport = "amqp",
            Hostname = factory.HostName,
            Port = factory.Port,
            UserId = factory.UserName,
            VirtualHost = factory.VirtualHost,
            Ssl = factory.Ssl.Enabled,
            // Celery's form: the password as eight stars, the vhost after the last slash ("//" for "/").
            SafeUrl = $"{uri.Scheme}://{(user.Length > 0 ? user : factory.UserName)}:********@{factory.HostName}:{factory.Port}/{factory.VirtualHost}",
            Heartbeat = RabbitMqConnection.Heartbeat,
            ConnectTimeout = factory.RequestedConnectionTimeout,
            Driver = s_driver,
        };
    }
}
