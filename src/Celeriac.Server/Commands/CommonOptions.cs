using System.CommandLine;
using Celeriac.RabbitMQ;
using Microsoft.Extensions.Logging;

namespace Celeriac.Server.Commands;

/// <summary>Options every command shares.</summary>
internal static class CommonOptions
{
    /// <summary>The environment variable that names the broker.</summary>
    public const string BrokerVariable = "CELERIAC_BROKER_URL";

    // No default value on the option itself: help would print it, and the URL from the environment may hold a password.
    public static Option<string?> Broker { get; } = new("--broker", "-b")
    {
        Description = $"Broker URL (amqp:// or Celery's pyamqp://). Default: ${BrokerVariable}, else Celeriac:RabbitMq:Url (appsettings.json, CELERIAC__RABBITMQ__URL), else {RabbitMqOptions.DefaultUrl}",
        Recursive = true,
    };

    /// <summary>
    /// The broker URL to use: the option, else the environment, else <c>Celeriac:RabbitMq:Url</c> from the configuration
    /// (<see cref="CliConfiguration"/>), else the default; normalized (see <see cref="NormalizeBrokerUrl"/>).
    /// </summary>
    public static string BrokerUrl(ParseResult parse) => BrokerUrl(parse, CliConfiguration.Build(parse));

    /// <inheritdoc cref="BrokerUrl(ParseResult)"/>
    public static string BrokerUrl(ParseResult parse, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var given = parse.GetValue(Broker) is { Length: > 0 } option ? option
            : Environment.GetEnvironmentVariable(BrokerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : configuration["RabbitMq:Url"] is { Length: > 0 } configured ? configured
            : RabbitMqOptions.DefaultUrl;
        try
        {
            return NormalizeBrokerUrl(given);
        }
        catch (ArgumentException ex)
        {
            throw new CliFailure(ex.Message, ex);
        }
    }

    public static Option<string> LogLevel { get; } = new("--loglevel", "-l")
    {
        Description = "Logging level: debug, info, warning, error or critical.",
        DefaultValueFactory = _ => "info",
        Recursive = true,
    };

    static CommonOptions() => LogLevel.AcceptOnlyFromAmong("debug", "info", "warning", "error", "critical", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL");

    public static LogLevel ParseLogLevel(string level) => level.ToUpperInvariant() switch
    {
        "DEBUG" => Microsoft.Extensions.Logging.LogLevel.Debug,
        "WARNING" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "ERROR" => Microsoft.Extensions.Logging.LogLevel.Error,
        "CRITICAL" => Microsoft.Extensions.Logging.LogLevel.Critical,
        _ => Microsoft.Extensions.Logging.LogLevel.Information,
    };

    /// <summary>
    /// Accepts the URLs Celery users already have: <c>pyamqp://</c> becomes <c>amqp://</c>, a missing password
    /// is <c>guest</c> (kombu's default), and kombu's <c>//</c> path means the <c>/</c> virtual host.
    /// </summary>
    public static string NormalizeBrokerUrl(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var normalized = url.Trim();
        foreach (var scheme in new[] { "pyamqp://", "librabbitmq://" })
        {
            if (normalized.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                normalized = "amqp://" + normalized[scheme.Length..];
            }
        }

        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new ArgumentException($"'{RabbitMqOptions.MaskPassword(url)}' is not a broker URL; expected amqp://user:password@host:port/vhost.");
        }

        var builder = new UriBuilder(uri);
        if (!string.IsNullOrEmpty(builder.UserName) && string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "guest";
        }

        if (builder.Path is "//" or "")
        {
            builder.Path = "/";
        }

        if (builder.Port < 0)
        {
            builder.Port = uri.Scheme == "amqps" ? 5671 : 5672;
        }

        return builder.Uri.ToString();
    }
}
