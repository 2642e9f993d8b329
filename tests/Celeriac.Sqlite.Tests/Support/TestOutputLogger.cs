using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Celeriac.Sqlite.Tests.Support;

/// <summary>Writes log lines to the test's output and keeps their events, so tests can see what the store did.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output) : ILogger<T>
{
    public ConcurrentQueue<(EventId Event, IReadOnlyList<KeyValuePair<string, object?>> Values)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((eventId, state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
        try
        {
            output.WriteLine($"{logLevel,-11} [{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; nothing to show the line to.
        }
    }
}
