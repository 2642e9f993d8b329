namespace Celeriac.Core.Events;

/// <summary>
/// The logical clock Celery stamps on events and control messages: incremented on every send and moved
/// past any clock value seen from another node, so monitors can order events from many workers.
/// </summary>
public sealed class LamportClock
{
    private long _value;

    /// <summary>The current value.</summary>
    public long Value => Interlocked.Read(ref _value);

    /// <summary>Advances the clock for an event this node sends and returns the new value.</summary>
    public long Forward() => Interlocked.Increment(ref _value);

    /// <summary>Moves the clock past a value received from another node.</summary>
    public long Adjust(long other)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _value);
            var next = Math.Max(current, other) + 1;
            if (Interlocked.CompareExchange(ref _value, next, current) == current)
            {
                return next;
            }
        }
    }
}
