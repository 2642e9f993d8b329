using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Celeriac.Server.Logging;

/// <summary>
/// Writes log lines the way a Celery worker does, <c>[2026-11-21 10:00:00,123: INFO/TaskProcessor] Task tasks.add[...] received</c>,
/// with an exception's full text (the .NET traceback) on the lines after. <see cref="CeleryConsoleLoggerProvider"/> writes them.
/// </summary>
internal sealed class CeleryConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "celery";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var category = logEntry.Category;
        var dot = category.LastIndexOf('.');
        textWriter.Write('[');
        textWriter.Write(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture));
        textWriter.Write(": ");
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write('/');
        textWriter.Write(dot >= 0 ? category[(dot + 1)..] : category);
        textWriter.Write("] ");
        textWriter.WriteLine(message);
        if (logEntry.Exception is { } exception)
        {
            textWriter.WriteLine(exception.ToString());
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NOTSET",
    };
}
