using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Server.Commands;

/// <summary>The services a client-side command (events, call, inspect, revoke) needs: a broker connection and the client.</summary>
internal static class ClientServices
{
    public static ServiceProvider Build(ParseResult parse)
    {
        var level = CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!);
        var brokerUrl = CommonOptions.NormalizeBrokerUrl(parse.GetValue(CommonOptions.Broker)!);
        var services = new ServiceCollection();
        // Client commands print their own output; only warnings and worse from the libraries.
        services.AddCeleryConsoleLogging(level > Microsoft.Extensions.Logging.LogLevel.Warning ? level : Microsoft.Extensions.Logging.LogLevel.Warning);
        services.AddCeleriac().UseRabbitMq(o => o.Url = brokerUrl);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
