using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// Carries <see cref="TaskMetrics"/> across restarts of the server, so the throughput chart and the <c>/metrics</c>
/// counters go on from where they were: loaded when the host starts (before the event feed, which is registered
/// after it, receives anything), saved every few seconds while events come, and once more when the host stops (after
/// the feed stopped, since hosted services stop in reverse order). A crash loses at most the last interval.
/// </summary>
internal sealed class MetricsPersistence(TaskMetrics metrics, IMetricsTable table, TimeProvider time, ILogger<MetricsPersistence> logger) : BackgroundService
{
    /// <summary>How often changed metrics are saved.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    private long _savedVersion;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await table.LoadAsync(cancellationToken) is { } kept)
            {
                metrics.Import(kept);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.MetricsUnreadable(logger, ex);
        }

        _savedVersion = metrics.Version;
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await SaveAsync(CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SaveInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SaveAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync saves once more.
        }
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        var version = metrics.Version;
        if (version == _savedVersion)
        {
            return;
        }

        try
        {
            await table.SaveAsync(metrics.Export(time.GetUtcNow()), cancellationToken);
            _savedVersion = version;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Log.MetricsNotSaved(logger, ex);
        }
    }
}
