using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>
/// Writes log lines to the test's output, so a failing test shows what the worker logged, and keeps them for
/// tests about what is logged.
/// </summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName[(categoryName.LastIndexOf('.') + 1)..], _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category,
        System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, int EventId, string Message)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
            try
            {
                output.WriteLine($"{logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a task that outlived it logged late); nothing to show it to.
            }
        }
    }
}
