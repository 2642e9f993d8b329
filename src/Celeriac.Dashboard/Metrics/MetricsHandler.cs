using Celeriac.Dashboard.Tasks;
using Celeriac.Dashboard.Workers;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard.Metrics;

/// <summary>Prometheus metrics.</summary>
internal static class MetricsHandler
{
    internal static async Task<IResult> Metrics(TaskMetrics metrics, CeleriacMeterReader meters, StateCounts counts, WorkerBoard workers, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var text = PrometheusText.Write(metrics.Snapshot(), await counts.GetAsync(cancellationToken), workers.Snapshot(now), now) + PrometheusText.Write(meters.Snapshot());
        return Results.Text(text, PrometheusText.ContentType);
    }
}
