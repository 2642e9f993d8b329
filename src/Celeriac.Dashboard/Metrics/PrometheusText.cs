using System.Globalization;
using System.Text;
using Celeriac.Core.States;
using Celeriac.Dashboard.Workers;

namespace Celeriac.Dashboard.Metrics;

/// <summary>Writes the dashboard's metrics in Prometheus' text exposition format (version 0.0.4).</summary>
internal static class PrometheusText
{
    /// <summary>The content type Prometheus expects.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(MetricsSnapshot metrics, IReadOnlyDictionary<TaskState, long> records, IReadOnlyList<WorkerRecord> workers, DateTimeOffset now)
    {
        var text = new StringBuilder();
        Header(text, "celeriac_task_events_total", "counter", "Task events the dashboard received (kept across restarts of the server), by task name and the state they report.");
        foreach (var count in metrics.Counts)
        {
            Sample(text, "celeriac_task_events_total", [("name", count.Name), ("state", count.State)], count.Count);
        }

        Header(text, "celeriac_task_runtime_seconds", "histogram", "Runtime of succeeded tasks, by task name.");
        foreach (var runtime in metrics.Runtimes)
        {
            long cumulative = 0;
            for (var i = 0; i < TaskMetrics.RuntimeBuckets.Length; i++)
            {
                cumulative += runtime.Buckets[i];
                Sample(text, "celeriac_task_runtime_seconds_bucket", [("name", runtime.Name), ("le", Number(TaskMetrics.RuntimeBuckets[i]))], cumulative);
            }

            Sample(text, "celeriac_task_runtime_seconds_bucket", [("name", runtime.Name), ("le", "+Inf")], runtime.Count);
            Sample(text, "celeriac_task_runtime_seconds_sum", [("name", runtime.Name)], runtime.Sum);
            Sample(text, "celeriac_task_runtime_seconds_count", [("name", runtime.Name)], runtime.Count);
        }

        Header(text, "celeriac_task_records", "gauge", "Task records in the store, by state.");
        foreach (var state in Enum.GetValues<TaskState>())
        {
            Sample(text, "celeriac_task_records", [("state", state.ToWireName())], records.GetValueOrDefault(state));
        }

        Header(text, "celeriac_worker_up", "gauge", "1 while the worker sends heartbeats, 0 once it went offline or missed two.");
        foreach (var worker in workers)
        {
            Sample(text, "celeriac_worker_up", [("worker", worker.Hostname)], worker.IsOnline(now) ? 1 : 0);
        }

        Header(text, "celeriac_worker_active_tasks", "gauge", "Tasks running on the worker at its last heartbeat.");
        foreach (var worker in workers)
        {
            Sample(text, "celeriac_worker_active_tasks", [("worker", worker.Hostname)], worker.Active);
        }

        Header(text, "celeriac_worker_processed_tasks", "gauge", "Tasks the worker processed since it started, at its last heartbeat.");
        foreach (var worker in workers)
        {
            Sample(text, "celeriac_worker_processed_tasks", [("worker", worker.Hostname)], worker.Processed);
        }

        return text.ToString();
    }

    /// <summary>
    /// This process's "Celeriac" meter (<see cref="CeleriacMeterReader"/>) as <c>celeriac_meter_*</c>: counters as
    /// totals, the up-down counter as a gauge, histograms as summaries (count and sum). Tag names have their dots as
    /// underscores (<c>celery_task_name</c>).
    /// </summary>
    public static string Write(IReadOnlyList<(CeleriacMeterReader.Series Series, long Count, double Sum)> meters)
    {
        var text = new StringBuilder();
        string? written = null;
        foreach (var (series, count, sum) in meters)
        {
            var instrument = series.Instrument.StartsWith("celeriac.", StringComparison.Ordinal) ? series.Instrument["celeriac.".Length..] : series.Instrument;
            var name = "celeriac_meter_" + instrument.Replace('.', '_')
                + (series.Unit == "s" ? "_seconds" : "") + (series.Kind == "counter" ? "_total" : "");
            var labels = series.Tags.Select(t => (t.Name.Replace('.', '_'), t.Value)).ToArray();
            if (name != written)
            {
                Header(text, name, series.Kind == "histogram" ? "summary" : series.Kind, $"{series.Description} (this process's Celeriac meter)");
                written = name;
            }

            if (series.Kind == "histogram")
            {
                Sample(text, name + "_count", labels, count);
                Sample(text, name + "_sum", labels, sum);
            }
            else
            {
                Sample(text, name, labels, sum);
            }
        }

        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, double value)
    {
        text.Append(name).Append('{');
        for (var i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
        }

        text.Append("} ").Append(Number(value)).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Label values escape backslash, double quote and line feed; nothing else.
    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
