using Celeriac.Server.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Celeriac.Server.Commands;

/// <summary>One logging setup for every command: Celery-style lines on stdout, written in batches.</summary>
internal static class CliLogging
{
    public static ILoggingBuilder UseCeleryConsole(this ILoggingBuilder logging, LogLevel level)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, CeleryConsoleLoggerProvider>());
        return logging;
    }

    /// <summary>
    /// Silences the host's own report of a failed start or a failed background service (a stack trace of dozens of
    /// lines): the command reports the same failure in one line (<see cref="CliFailure"/>).
    /// </summary>
    public static ILoggingBuilder HideHostFailures(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);

    public static ILoggerFactory CreateFactory(LogLevel level) => LoggerFactory.Create(b => b.UseCeleryConsole(level));

    public static IServiceCollection AddCeleryConsoleLogging(this IServiceCollection services, LogLevel level) =>
        services.AddLogging(b => b.UseCeleryConsole(level));
}
