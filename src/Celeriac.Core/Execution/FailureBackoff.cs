using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Execution;

/// <summary>
/// How long to hold a delivery that failed for a reason outside the task (the record store or the broker refused)
/// before giving it back: 1 s, doubling to 30 s while failures go on, back to none after a success. Holding it
/// keeps the prefetch window full, so the worker stops taking new deliveries instead of spinning through
/// redeliveries, and it says so once when the trouble starts and once when it is over, not per message.
/// </summary>
internal sealed class FailureBackoff(ILogger logger)
{
    private static readonly TimeSpan s_first = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private TimeSpan _delay;
    private long _failures;

    /// <summary>Counts a failure and returns how long to hold the delivery before requeueing it.</summary>
    public TimeSpan OnFailure(string queue, Exception error)
    {
        lock (_lock)
        {
            _failures++;
            if (_failures == 1)
            {
                Log.BackingOff(logger, queue, error.GetBaseException().Message, error);
            }

            _delay = _delay == TimeSpan.Zero ? s_first : TimeSpan.FromTicks(Math.Min(s_max.Ticks, _delay.Ticks * 2));
            return _delay;
        }
    }

    /// <summary>A delivery went through: failures, if there were any, are over.</summary>
    public void OnSuccess()
    {
        if (Volatile.Read(ref _failures) == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_failures > 0)
            {
                Log.Recovered(logger, _failures);
                _failures = 0;
                _delay = TimeSpan.Zero;
            }
        }
    }
}
