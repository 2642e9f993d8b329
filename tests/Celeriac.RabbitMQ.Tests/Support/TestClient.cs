using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Events;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// The caller's side, wired through DI as an application wires it (<c>AddCeleriac().UseRabbitMq()</c>): the
/// <see cref="CeleryClient"/>, its remote control and the event receiver, on their own connection.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestClient(ServiceProvider services)
    {
        _services = services;
        Client = services.GetRequiredService<CeleryClient>();
        EventReceiver = services.GetRequiredService<CeleryEventReceiver>();
    }

    /// <summary>The task client.</summary>
    public CeleryClient Client { get; }

    /// <summary>Remote control.</summary>
    public CeleryControl Control => Client.Control;

    /// <summary>The event receiver.</summary>
    public CeleryEventReceiver EventReceiver { get; }

    public static TestClient Create(RabbitMqVirtualHost virtualHost, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new TestOutputLoggerProvider(output, "client")).SetMinimumLevel(LogLevel.Debug));
        services.AddCeleriac().UseRabbitMq(o =>
        {
            o.Url = virtualHost.AmqpUrl;
            o.ClientName = "test-client";
        });
        return new TestClient(services.BuildServiceProvider());
    }

    /// <summary>Starts collecting events; without <paramref name="wakeup"/> no heartbeat command is broadcast.</summary>
    public Task<EventLog> SubscribeAsync(bool wakeup = false) => EventLog.StartAsync(EventReceiver, wakeup);

    /// <summary>Sends a command to one node and waits for its reply (returns as soon as it answered).</summary>
    public async Task<JsonElement> AskAsync(string node, string method, IReadOnlyDictionary<string, object?>? arguments = null)
    {
        var replies = await Control.BroadcastAsync(method, arguments, reply: true, TestTimeouts.Short, [node]);
        Assert.True(replies.TryGetValue(node, out var reply),
            $"Expected {node} to answer '{method}' within {TestTimeouts.Short.TotalSeconds}s; replies came from [{string.Join(", ", replies.Keys)}].");
        return reply;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
