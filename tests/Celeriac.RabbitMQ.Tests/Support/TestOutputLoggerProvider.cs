using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Writes log lines to the test's output, prefixed with who wrote them, so a failing test shows what the worker did.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, string source) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, source, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"[{source}] {DateTime.Now:HH:mm:ss.fff} {logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}"
                    + (exception is null ? "" : $" {exception.GetType().Name}: {exception.Message}"));
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a late shutdown line); nothing to show it to.
            }
        }
    }
}
