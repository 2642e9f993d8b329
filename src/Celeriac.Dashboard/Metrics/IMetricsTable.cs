namespace Celeriac.Dashboard.Metrics;

/// <summary>Where the dashboard keeps its counters, histograms and throughput seconds across restarts of the server.</summary>
internal interface IMetricsTable
{
    /// <summary>What was kept last, or null when nothing was.</summary>
    ValueTask<MetricsState?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="state"/>, replacing what was kept before.</summary>
    ValueTask SaveAsync(MetricsState state, CancellationToken cancellationToken);
}
