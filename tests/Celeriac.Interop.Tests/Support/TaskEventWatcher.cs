using System.Text.Json;
using Celeriac.RabbitMQ.Events;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Interop.Tests.Support;

/// <summary>
/// Listens to the vhost's <c>celeryev</c> events with Celeriac's receiver, so a test can wait for "task X has
/// started" (<c>task-started</c>) before it revokes or inspects X, from either kind of worker.
/// </summary>
public sealed class TaskEventWatcher : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly EventSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<JsonElement> _events = [];
    private readonly Lock _lock = new();
    private readonly Action<string> _log;
    private readonly Task _pump;

    private TaskEventWatcher(ServiceProvider services, EventSubscription subscription, Action<string> log)
    {
        _services = services;
        _subscription = subscription;
        _log = log;
        _pump = PumpAsync();
    }

    /// <summary>Subscribes to every event of the vhost; events sent from now on are kept, and task events logged.</summary>
    public static async Task<TaskEventWatcher> StartAsync(RabbitMqVirtualHost vhost, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddCeleriac().UseRabbitMq(o => o.Url = vhost.AmqpUrl);
        var provider = services.BuildServiceProvider();
        var subscription = await provider.GetRequiredService<CeleryEventReceiver>().SubscribeAsync(wakeup: false);
        return new TaskEventWatcher(provider, subscription, log);
    }

    /// <summary>Waits for an event of <paramref name="type"/> (e.g. <c>task-started</c>) about task <paramref name="taskId"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string type, string taskId, TimeSpan? timeout = null)
    {
        JsonElement? found = null;
        await Eventually.WaitAsync(() => (found = Find(type, taskId)) is not null, timeout ?? TestTimeouts.Short, $"a {type} event for task {taskId}");
        return found!.Value;
    }

    /// <summary>The types of the events seen for a task, in arrival order.</summary>
    public IReadOnlyList<string> TypesFor(string taskId)
    {
        lock (_lock)
        {
            return _events.Where(e => Uuid(e) == taskId).Select(e => e.GetProperty("type").GetString()!).ToArray();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _subscription.DisposeAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        await _services.DisposeAsync();
        _stop.Dispose();
    }

    private JsonElement? Find(string type, string taskId)
    {
        lock (_lock)
        {
            foreach (var e in _events)
            {
                if (Uuid(e) == taskId && e.TryGetProperty("type", out var t) && t.GetString() == type)
                {
                    return e;
                }
            }
        }

        return null;
    }

    private static string? Uuid(JsonElement e) => e.TryGetProperty("uuid", out var uuid) && uuid.ValueKind == JsonValueKind.String ? uuid.GetString() : null;

    private async Task PumpAsync()
    {
        await foreach (var e in _subscription.ReadAllAsync(_stop.Token))
        {
            lock (_lock)
            {
                _events.Add(e);
            }

            if (Uuid(e) is { } uuid)
            {
                _log($"[events] {DateTime.Now:HH:mm:ss,fff} {e.GetProperty("type").GetString()} {uuid}");
            }
        }
    }
}
