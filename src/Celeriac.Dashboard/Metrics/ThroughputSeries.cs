namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// Outcomes per second for the last <c>window</c> seconds, in a ring of one slot per second: memory stays fixed
/// however many tasks run. Not thread-safe; <see cref="TaskMetrics"/> locks around it.
/// </summary>
internal sealed class ThroughputSeries
{
    private static readonly int s_kinds = Enum.GetValues<TaskOutcomeKind>().Length;

    private readonly long[] _seconds;
    private readonly int[,] _counts;

    public ThroughputSeries(TimeSpan window)
    {
        var length = (int)Math.Ceiling(window.TotalSeconds);
        _seconds = new long[length];
        Array.Fill(_seconds, long.MinValue);
        _counts = new int[length, s_kinds];
    }

    public void Add(TaskOutcomeKind kind, long unixSecond)
    {
        var slot = Slot(unixSecond);
        if (_seconds[slot] != unixSecond)
        {
            _seconds[slot] = unixSecond;
            for (var k = 0; k < s_kinds; k++)
            {
                _counts[slot, k] = 0;
            }
        }

        _counts[slot, (int)kind]++;
    }

    /// <summary>The seconds of the window ending at <paramref name="nowUnixSecond"/> that counted anything, with their counts by outcome.</summary>
    public IReadOnlyList<ThroughputSecond> Export(long nowUnixSecond)
    {
        var seconds = new List<ThroughputSecond>();
        for (var slot = 0; slot < _seconds.Length; slot++)
        {
            var second = _seconds[slot];
            if (second > nowUnixSecond - _seconds.Length && second <= nowUnixSecond)
            {
                var counts = new int[s_kinds];
                for (var k = 0; k < s_kinds; k++)
                {
                    counts[k] = _counts[slot, k];
                }

                seconds.Add(new ThroughputSecond(second, counts));
            }
        }

        return seconds.OrderBy(s => s.Second).ToArray();
    }

    /// <summary>Adds the counts of one second kept from before (a restart); outcomes beyond the known ones are ignored.</summary>
    public void Import(ThroughputSecond kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        var slot = Slot(kept.Second);
        if (_seconds[slot] != kept.Second)
        {
            _seconds[slot] = kept.Second;
            for (var k = 0; k < s_kinds; k++)
            {
                _counts[slot, k] = 0;
            }
        }

        for (var k = 0; k < Math.Min(s_kinds, kept.Counts.Length); k++)
        {
            _counts[slot, k] += kept.Counts[k];
        }
    }

    /// <summary>Tasks per second by outcome, averaged over buckets of <paramref name="bucketSeconds"/>, oldest first, ending at <paramref name="nowUnixSecond"/>.</summary>
    public ThroughputView Read(long nowUnixSecond, int bucketSeconds)
    {
        var buckets = _seconds.Length / bucketSeconds;
        var series = new double[s_kinds][];
        for (var k = 0; k < s_kinds; k++)
        {
            series[k] = new double[buckets];
        }

        // The newest bucket ends with the current second; each holds bucketSeconds whole seconds.
        var first = nowUnixSecond - (buckets * bucketSeconds) + 1;
        for (var second = first; second <= nowUnixSecond; second++)
        {
            var slot = Slot(second);
            if (_seconds[slot] != second)
            {
                continue;
            }

            var bucket = (int)((second - first) / bucketSeconds);
            for (var k = 0; k < s_kinds; k++)
            {
                series[k][bucket] += _counts[slot, k] / (double)bucketSeconds;
            }
        }

        return new ThroughputView(first, bucketSeconds, series[(int)TaskOutcomeKind.Succeeded], series[(int)TaskOutcomeKind.Failed],
            series[(int)TaskOutcomeKind.Retried], series[(int)TaskOutcomeKind.Revoked]);
    }

    private int Slot(long unixSecond) => (int)(((unixSecond % _seconds.Length) + _seconds.Length) % _seconds.Length);
}

/// <summary>One second of the throughput series: its Unix second and its counts, indexed by <see cref="TaskOutcomeKind"/>.</summary>
internal sealed record ThroughputSecond(long Second, int[] Counts);

/// <summary>Tasks per second by outcome, one value per bucket, oldest first.</summary>
/// <param name="Start">The Unix second the first bucket starts at.</param>
/// <param name="BucketSeconds">The seconds in each bucket.</param>
/// <param name="Succeeded">SUCCESS per second.</param>
/// <param name="Failed">FAILURE per second.</param>
/// <param name="Retried">RETRY per second.</param>
/// <param name="Revoked">REVOKED per second.</param>
internal sealed record ThroughputView(long Start, int BucketSeconds, double[] Succeeded, double[] Failed, double[] Retried, double[] Revoked);
