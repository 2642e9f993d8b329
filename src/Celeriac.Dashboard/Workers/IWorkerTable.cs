namespace Celeriac.Dashboard.Workers;

/// <summary>
/// The workers the dashboard has seen, kept across restarts of the server: Celery's monitors forget every worker when
/// they restart, so a worker that died while the monitor was down would never show as offline.
/// </summary>
public interface IWorkerTable
{
    /// <summary>Every worker seen so far.</summary>
    ValueTask<IReadOnlyList<WorkerRecord>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Keeps what is known about one worker now, replacing what was kept before.</summary>
    ValueTask SaveAsync(WorkerRecord worker, CancellationToken cancellationToken);
}
