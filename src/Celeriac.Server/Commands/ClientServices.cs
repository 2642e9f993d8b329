using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Server.Commands;

/// <summary>The services a client-side command (events, call, inspect, revoke) needs: a broker connection and the client.</summary>
internal static class ClientServices
{
    /// <summary>How long a one-shot command tries to reach the broker.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(6);

    public static ServiceProvider Build(ParseResult parse)
    {
        var level = CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!);
        var brokerUrl = CommonOptions.BrokerUrl(parse);
        var services = new ServiceCollection();
        // Client commands print their own output; only warnings and worse from the libraries.
        services.AddCeleryConsoleLogging(level > Microsoft.Extensions.Logging.LogLevel.Warning ? level : Microsoft.Extensions.Logging.LogLevel.Warning);
        // A one-shot command gives up on a broker that does not answer within 6 s, as Celery's inspect does (about 6 s).
        services.AddCeleriac().UseRabbitMq(o => (o.Url, o.ConnectTimeout) = (brokerUrl, ConnectTimeout));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
