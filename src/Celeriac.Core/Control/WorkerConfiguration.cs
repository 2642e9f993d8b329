using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;

namespace Celeriac.Core.Control;

/// <summary>
/// The worker's settings under Celery's names, for <c>inspect conf</c> and <c>inspect report</c>. Without defaults,
/// only what differs from Celery's defaults (as Celery's <c>conf.table()</c>); with them, also the defaults Celeriac
/// follows. Secrets never appear: the broker URL is masked.
/// </summary>
internal static class WorkerConfiguration
{
    /// <summary>What <c>result_backend</c> is: results go to the caller's reply queue, as with Celery's rpc backend.</summary>
    public const string ResultBackend = "rpc:///";

    public static List<KeyValuePair<string, object?>> Table(WorkerOptions options, bool taskEvents, int concurrency, BrokerConnectionInfo? broker,
        bool withDefaults)
    {
        var table = new List<KeyValuePair<string, object?>>();
        if (broker is not null)
        {
            table.Add(new("broker_url", broker.SafeUrl));
        }

        table.Add(new("result_backend", ResultBackend));
        table.Add(new("result_persistent", options.PersistentResults));
        // Celeriac acknowledges a task after its outcome is stored and published: Celery's acks_late.
        table.Add(new("task_acks_late", true));
        table.Add(new("worker_concurrency", concurrency));
        table.Add(new("worker_prefetch_multiplier", options.PrefetchMultiplier));
        table.Add(new("worker_send_task_events", taskEvents));
        if (options.TrackStarted)
        {
            table.Add(new("task_track_started", true));
        }

        if (options.Queues is not ["celery"])
        {
            table.Add(new("task_queues", options.Queues.ToArray()));
        }

        if (withDefaults)
        {
            table.Add(new("accept_content", new[] { "json" }));
            table.Add(new("task_serializer", "json"));
            table.Add(new("result_serializer", "json"));
            table.Add(new("task_protocol", 2));
            table.Add(new("task_default_queue", "celery"));
            table.Add(new("task_default_exchange", "celery"));
            table.Add(new("task_default_routing_key", "celery"));
            table.Add(new("event_exchange", "celeryev"));
            table.Add(new("control_exchange", "celery"));
            table.Add(new("enable_utc", true));
            table.Add(new("worker_disable_rate_limits", false));
            table.Add(new("task_time_limit", null));
            table.Add(new("task_soft_time_limit", null));
        }

        return table;
    }

    /// <summary>Celery's bug-report text (<c>celery report</c>), with Celeriac's software and platform.</summary>
    public static string Report(IEnumerable<KeyValuePair<string, object?>> table, BrokerConnectionInfo? broker)
    {
        var text = new StringBuilder();
        text.Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"software -> celeriac:{WorkerHeartbeat.SoftwareVersion} dotnet:{Environment.Version}\n");
        text.Append(CultureInfo.InvariantCulture, $"            {broker?.Driver ?? ""}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"platform -> system:{SystemName()} arch:{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}\n");
        text.Append(CultureInfo.InvariantCulture, $"            kernel version:{Environment.OSVersion.Version} imp:{RuntimeInformation.FrameworkDescription}\n");
        text.Append("loader   -> Celeriac.Core.Tasks.TaskRegistry\n");
        text.Append(CultureInfo.InvariantCulture, $"settings -> transport:{broker?.Transport ?? ""} results:{ResultBackend}\n");
        text.Append('\n');
        foreach (var (key, value) in table)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key}: {Pretty(value)}\n");
        }

        return text.ToString();
    }

    // Python's repr of the values the table holds.
    private static string Pretty(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s => Protocol.PythonRepr.FormatString(s),
        int i => i.ToString(CultureInfo.InvariantCulture),
        string[] list => "[" + string.Join(", ", list.Select(Protocol.PythonRepr.FormatString)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string SystemName() =>
        OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "Darwin" : Environment.OSVersion.Platform.ToString();
}
