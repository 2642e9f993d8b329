using Celeriac.Core.Execution;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// The backoff of automatic retries, as Celery's <c>get_exponential_backoff_interval</c> computes it: whole seconds,
/// base × 2^retries capped at the maximum, then with full jitter a draw from 0 to that delay inclusive.
/// </summary>
public sealed class RetryBackoffTests
{
    public static TheoryData<long, int, long, long> WithoutJitter => new()
    {
        // factor, retries so far, maximum, expected seconds
        { 1, 0, 600, 1 },
        { 1, 1, 600, 2 },
        { 1, 2, 600, 4 },
        { 2, 3, 600, 16 },
        { 3, 2, 10, 10 },
        { 1, 9, 600, 512 },
        { 1, 10, 600, 600 },
        { 1, 100, 600, 600 },
        { 1, 5000, 600, 600 },
        { 0, 5, 600, 0 },
        { 5, 0, 0, 0 },
        { 1, 3, -5, 0 },
    };

    [Theory]
    [MemberData(nameof(WithoutJitter))]
    public void Seconds_WithoutJitter_IsFactorTimesTwoToTheRetriesCapped(long factor, int retries, long maximum, long expected)
    {
        var random = new ScriptedRandom(0);

        Assert.Equal(expected, RetryBackoff.Seconds(factor, retries, maximum, fullJitter: false, random));
        Assert.Empty(random.Bounds);
    }

    [Theory]
    [InlineData(1, 2, 600, 3, 5, 3)] // randrange(4 + 1) drew 3
    [InlineData(1, 2, 600, 4, 5, 4)] // the top of the range is included
    [InlineData(1, 2, 600, 0, 5, 0)]
    [InlineData(1, 10, 600, 599, 601, 599)] // the draw is up to the capped delay
    public void Seconds_WithJitter_DrawsFromZeroToTheDelayInclusive(long factor, int retries, long maximum, long draw, long bound, long expected)
    {
        var random = new ScriptedRandom(draw);

        Assert.Equal(expected, RetryBackoff.Seconds(factor, retries, maximum, fullJitter: true, random));
        Assert.Equal([bound], random.Bounds);
    }

    [Fact]
    public void Seconds_WithJitterAndZeroDelay_IsZeroWithoutADraw()
    {
        var random = new ScriptedRandom(7);

        Assert.Equal(0, RetryBackoff.Seconds(0, 3, 600, fullJitter: true, random));
        Assert.Empty(random.Bounds);
    }

    /// <summary>A random source that answers <c>NextInt64(bound)</c> with a chosen value and records the bounds asked for.</summary>
    private sealed class ScriptedRandom(long value) : Random
    {
        public List<long> Bounds { get; } = [];

        public override long NextInt64(long maxValue)
        {
            Bounds.Add(maxValue);
            return value;
        }
    }
}
