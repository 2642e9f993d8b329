using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Tasks;

namespace Celeriac.Dashboard.Live;

/// <summary>The <c>stats</c> push (and <c>GET api/stats</c>): counts per state and the throughput chart's series.</summary>
internal sealed record StatsView(CountsView Counts, ThroughputView Throughput)
{
    /// <summary>The chart's bucket: tasks per second averaged over this many seconds.</summary>
    public const int BucketSeconds = 5;
}
