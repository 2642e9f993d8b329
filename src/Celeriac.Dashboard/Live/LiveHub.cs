using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace Celeriac.Dashboard.Live;

/// <summary>
/// The open pages' server-sent event streams. A message is serialized once and handed to every subscriber; a page
/// that reads too slowly loses its oldest messages (and catches up with its next refresh), never the server's memory.
/// </summary>
internal sealed class LiveHub
{
    private const int SubscriberCapacity = 64;

    private readonly ConcurrentDictionary<long, Channel<LiveMessage>> _subscribers = new();
    private long _next;

    /// <summary>How many pages listen now.</summary>
    public int Subscribers => _subscribers.Count;

    /// <summary>A new subscriber's messages, until it is disposed.</summary>
    public LiveSubscription Subscribe()
    {
        var id = Interlocked.Increment(ref _next);
        var channel = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _subscribers[id] = channel;
        return new LiveSubscription(channel.Reader, () =>
        {
            if (_subscribers.TryRemove(id, out var removed))
            {
                removed.Writer.TryComplete();
            }
        });
    }

    /// <summary>Sends <paramref name="payload"/> as the named event to every subscriber.</summary>
    public void Publish(string eventName, object payload)
    {
        if (_subscribers.IsEmpty)
        {
            return;
        }

        var message = new LiveMessage(eventName, JsonSerializer.Serialize(payload, payload.GetType(), DashboardJson.Options));
        foreach (var subscriber in _subscribers.Values)
        {
            subscriber.Writer.TryWrite(message);
        }
    }
}

/// <summary>One server-sent event: its name and its JSON data (one line).</summary>
internal sealed record LiveMessage(string Event, string Data);

/// <summary>A page's stream of messages; dispose it when the page goes.</summary>
internal sealed class LiveSubscription(ChannelReader<LiveMessage> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<LiveMessage> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}
