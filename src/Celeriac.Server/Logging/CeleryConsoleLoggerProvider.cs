using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Server.Logging;

/// <summary>
/// The command line's console logging: lines in Celery's format (<see cref="CeleryConsoleFormatter"/>) on stdout, written in
/// batches by a <see cref="ConsoleLineWriter"/>. The alias keeps the usual <c>Logging:Console:LogLevel</c> settings working.
/// </summary>
[ProviderAlias("Console")]
internal sealed class CeleryConsoleLoggerProvider : ILoggerProvider
{
    private readonly ConsoleLineWriter _writer;
    private readonly CeleryConsoleFormatter _formatter = new();

    public CeleryConsoleLoggerProvider()
        : this(Console.OpenStandardOutput())
    {
    }

    internal CeleryConsoleLoggerProvider(Stream output, Action<Action>? schedule = null) => _writer = new ConsoleLineWriter(output, schedule);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _formatter, _writer);

    public void Dispose() => _writer.Dispose();

    private sealed class Logger(string category, CeleryConsoleFormatter formatter, ConsoleLineWriter writer) : ILogger
    {
        // One per thread: formatting a line allocates only the line itself.
        [ThreadStatic]
        private static StringWriter? t_text;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = t_text ??= new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter1), null, text);
            var builder = text.GetStringBuilder();
            if (builder.Length == 0)
            {
                return;
            }

            var line = builder.ToString();
            builder.Clear();
            if (builder.Capacity > 16 * 1024)
            {
                t_text = null;
            }

            writer.Append(line, flushNow: logLevel >= LogLevel.Error);
        }
    }
}
