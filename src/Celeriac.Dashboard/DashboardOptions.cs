namespace Celeriac.Dashboard;

/// <summary>Settings of the dashboard. Every one has a default that works for <c>celeriac serve</c> on one machine.</summary>
public sealed class DashboardOptions
{
    /// <summary>Where the dashboard is mapped. Default: <c>/dashboard</c>.</summary>
    public string PathPrefix { get; set; } = "/dashboard";

    /// <summary>Where the Prometheus metrics are served; null to leave them out. Default: <c>/metrics</c>.</summary>
    public string? MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// RabbitMQ's management API, e.g. <c>http://127.0.0.1:15672</c>. Default: the broker's host on port 15672, with the
    /// broker URL's user, password and vhost.
    /// </summary>
    public Uri? ManagementUrl { get; set; }

    /// <summary>
    /// The SQLite file of the worker table (workers seen) and of the metrics (counters, histograms, the throughput
    /// chart's seconds), kept across restarts. Default: <c>dashboard.db</c> in the folder
    /// of the task records, or the current folder.
    /// </summary>
    public string? WorkerTablePath { get; set; }

    /// <summary>
    /// Whether the server records tasks from the Celery task events it receives, so tasks run by workers that keep no
    /// record (Python Celery) are listed too. Events of Celeriac workers, which record their tasks themselves, are left
    /// alone. Default: <c>true</c>.
    /// </summary>
    public bool RecordTasksFromEvents { get; set; } = true;

    /// <summary>How often the live feed pushes changed tasks to open pages. Default: 250 ms.</summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How much throughput history the chart shows (kept across restarts with the worker table). Default: 10 minutes.</summary>
    public TimeSpan ThroughputWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the counts per state are reused between refreshes of all open pages. Default: 1 s.</summary>
    public TimeSpan CountsCacheDuration { get; set; } = TimeSpan.FromSeconds(1);
}
