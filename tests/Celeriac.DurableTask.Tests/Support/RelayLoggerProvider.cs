using Celeriac.Testing;
using Microsoft.Extensions.Logging;

namespace Celeriac.DurableTask.Tests.Support;

/// <summary>Log lines of a shared host, to the test running now (through a <see cref="LogRelay"/>).</summary>
internal sealed class RelayLoggerProvider(LogRelay relay) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RelayLogger(relay, categoryName);

    public void Dispose()
    {
    }

    private sealed class RelayLogger(LogRelay relay, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            relay.WriteLine($"{logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
