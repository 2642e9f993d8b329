using Celeriac.RabbitMQ.Connection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Server.Commands;

/// <summary>A reason the command cannot go on, already worded for the person who ran it (one line, no stack trace).</summary>
internal sealed class CliFailure(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Exit code of a command that failed this way.</summary>
    public const int ExitCode = 1;

    /// <summary>The one line to print for an exception that ended a command; null when it is not one we can word.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        CliFailure failure => failure.Message,
        BrokerConnectionException broker => broker.Message,
        OptionsValidationException invalid => $"Invalid settings: {string.Join(" ", invalid.Failures)}",
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } bind => bind.Message.Replace("Failed to bind to address", "Cannot listen on",
            StringComparison.Ordinal),
        AggregateException { InnerExceptions.Count: 1 } single => Describe(single.InnerException!),
        _ when exception.InnerException is { } inner => Describe(inner),
        _ => null,
    };

    /// <summary>
    /// The host's background services (the queue consumer, the control listener), taken before the host runs: running
    /// it disposes its services.
    /// </summary>
    public static BackgroundService[] BackgroundServicesOf(IServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<BackgroundService>().ToArray();

    /// <summary>The exit code of a host that has stopped: 0, or the reported failure of the first background service that failed and so stopped it.</summary>
    public static int ExitCodeOf(IEnumerable<BackgroundService> services) =>
        services.Select(s => s.ExecuteTask?.Exception).FirstOrDefault(e => e is not null) is { } failed ? Report(failed) : 0;

    /// <summary>Writes the line for <paramref name="exception"/> to stderr and returns the exit code, or rethrows what cannot be worded.</summary>
    public static int Report(Exception exception)
    {
        var line = Describe(exception) ?? $"{exception.GetType().Name}: {exception.Message} (run with --loglevel debug for details)";
        Console.Error.WriteLine($"celeriac: {line}");
        return ExitCode;
    }
}
