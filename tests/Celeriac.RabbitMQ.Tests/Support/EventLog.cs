using System.Text.Json;
using Celeriac.RabbitMQ.Events;
using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Every event a <see cref="CeleryEventReceiver"/> subscription delivered, in arrival order, with waits on them.</summary>
public sealed class EventLog : IAsyncDisposable
{
    private readonly EventSubscription _subscription;
    private readonly List<JsonElement> _events = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private EventLog(EventSubscription subscription)
    {
        _subscription = subscription;
        _pump = PumpAsync();
    }

    /// <summary>How many events arrived so far; pass it as <c>from</c> to wait only for later ones.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    public static async Task<EventLog> StartAsync(CeleryEventReceiver receiver, bool wakeup)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        return new EventLog(await receiver.SubscribeAsync("#", wakeup));
    }

    /// <summary>The events (from index <paramref name="from"/>) of a type, optionally from one node and about one task.</summary>
    public IReadOnlyList<JsonElement> Find(string type, string? hostname = null, string? taskId = null, int from = 0)
    {
        lock (_lock)
        {
            return _events.Skip(from).Where(e => Matches(e, type, hostname, taskId)).ToArray();
        }
    }

    /// <summary>Waits for an event of a type (from index <paramref name="from"/>), optionally from one node and about one task.</summary>
    public async Task<JsonElement> WaitForAsync(string type, string? hostname = null, string? taskId = null, int from = 0, TimeSpan? timeout = null)
    {
        var found = await WaitForCountAsync(1, type, hostname, taskId, from, timeout);
        return found[0];
    }

    /// <summary>Waits until at least <paramref name="count"/> matching events arrived; returns them all.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForCountAsync(int count, string type, string? hostname = null, string? taskId = null, int from = 0,
        TimeSpan? timeout = null)
    {
        IReadOnlyList<JsonElement> found = [];
        var wait = timeout ?? TestTimeouts.Short;
        try
        {
            await Eventually.WaitAsync(() => (found = Find(type, hostname, taskId, from)).Count >= count, wait,
                $"{count} '{type}' event(s){(hostname is null ? "" : $" from {hostname}")}{(taskId is null ? "" : $" about task {taskId}")}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; found {found.Count}. Events so far:\n{Describe()}", ex);
        }

        return found;
    }

    /// <summary>A readable list of what arrived, for failure messages.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return string.Join('\n', _events.Select(e =>
                $"  {Field(e, "type")} {Field(e, "hostname")} {Field(e, "uuid")}"));
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

        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        await foreach (var item in _subscription.ReadAllAsync(_stop.Token))
        {
            lock (_lock)
            {
                _events.Add(item);
            }
        }
    }

    private static bool Matches(JsonElement e, string type, string? hostname, string? taskId) =>
        Field(e, "type") == type
        && (hostname is null || Field(e, "hostname") == hostname)
        && (taskId is null || Field(e, "uuid") == taskId);

    private static string? Field(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
