namespace Celeriac.Dashboard.Workers;

/// <summary>A worker as the page shows it.</summary>
internal sealed record WorkerView(
    string Hostname,
    bool Online,
    string? Software,
    string? Version,
    string? System,
    double Frequency,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? OfflineAt,
    int Active,
    long Processed,
    IReadOnlyList<double> LoadAverage)
{
    public static IReadOnlyList<WorkerView> From(IReadOnlyList<WorkerRecord> workers, DateTimeOffset now) =>
        workers.Select(w => new WorkerView(w.Hostname, w.IsOnline(now), w.Software, w.Version, w.System, w.Frequency, w.FirstSeen, w.LastSeen,
            w.OfflineAt, w.IsOnline(now) ? w.Active : 0, w.Processed, w.LoadAverage)).ToArray();
}
