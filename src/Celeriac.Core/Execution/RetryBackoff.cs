namespace Celeriac.Core.Execution;

/// <summary>
/// The delay of an automatic retry with exponential backoff, with Celery's semantics
/// (<c>celery.utils.time.get_exponential_backoff_interval</c>): whole seconds, base × 2^retries capped at the
/// maximum, then with full jitter a uniform draw from 0 to that delay inclusive.
/// </summary>
internal static class RetryBackoff
{
    /// <summary>The delay in whole seconds.</summary>
    /// <param name="factor">The base in seconds (0 gives 0).</param>
    /// <param name="retries">How many times the task was retried before (0 on its first failure).</param>
    /// <param name="maximum">The cap in seconds.</param>
    /// <param name="fullJitter">Whether to draw the delay at random between 0 and the computed one.</param>
    /// <param name="random">The random source for the jitter.</param>
    public static long Seconds(long factor, int retries, long maximum, bool fullJitter, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);

        // In doubles so a large retry count saturates at the cap instead of overflowing.
        var exponential = factor * Math.Pow(2, Math.Max(0, retries));
        var countdown = exponential >= maximum ? maximum : (long)exponential;

        // Python's randrange(countdown + 1) is 0..countdown inclusive; it raises on an empty range where this gives 0.
        if (fullJitter && countdown > 0)
        {
            countdown = random.NextInt64(countdown + 1);
        }

        return Math.Max(0, countdown);
    }
}
