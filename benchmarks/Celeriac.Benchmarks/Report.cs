using System.Globalization;
using System.Text;

namespace Celeriac.Benchmarks;

/// <summary>Medians, ratios within a run, the markdown tables, the chart and the docs they go into.</summary>
internal sealed class Report(SuiteResults results, SuiteSettings settings)
{
    private const string DocsBegin = "<!-- bench:results:begin (written by ./bench.sh) -->";
    private const string DocsEnd = "<!-- bench:results:end -->";
    private const string ReadmeBegin = "<!-- bench:readme:begin (written by ./bench.sh) -->";
    private const string ReadmeEnd = "<!-- bench:readme:end -->";

    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public string Markdown()
    {
        var md = new StringBuilder();
        var m = results.Machine;
        md.AppendLine(Inv($"Measured {m["date"]} on {m["cpu"]}, {m["memory"]} RAM, {m["os"]}, .NET {m["dotnet"]}; load average at the start {m["load"]}."));
        md.AppendLine(Inv($"{m["settings"]}. Every figure is the median over the runs; every ratio is taken within one run (both sides measured minutes apart at most), then the median of those ratios."));
        md.AppendLine();
        if (results.Drain.Count > 0)
        {
            md.AppendLine("### Drain: pre-loaded no-op tasks sent by Celery's Python client");
            md.AppendLine();
            md.AppendLine("| worker | tasks/s | vs Celery | % of the ceiling | worker CPU per task | CPU vs Celery | broker CPU per task | peak RSS |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var key in Keys(results.Drain))
            {
                md.AppendLine(Inv($"| {results.Labels[key]} | {Median(results.Drain, key, s => s.TasksPerSecond):N0} | {Ratio(results.Drain, key, "celery", s => s.TasksPerSecond):0.00}x | {100 * OfCeiling(key):0}% | {Median(results.Drain, key, s => s.CpuMsPerTask):0.00} ms | {Ratio(results.Drain, key, "celery", s => s.CpuMsPerTask):0.00}x | {Median(results.Drain, key, s => s.BrokerCpuMsPerTask ?? double.NaN):0.00} ms | {Median(results.Drain, key, s => s.PeakRssMiB):0} MiB |"));
            }

            md.AppendLine();
            md.AppendLine("The ceiling of a run is the fastest of its RabbitMQ.Client-only rows (prefetch 4 x concurrency and 200, and 200 with the task events sent as Celeriac and a prefork Celery worker send them: together as task.multi lists while the previous ones are being sent).");

            md.AppendLine();
        }

        if (results.DotNetClient.Count > 0)
        {
            md.AppendLine("### Drain: the same load sent by Celeriac's .NET client (which also collects every result)");
            md.AppendLine();
            md.AppendLine("| worker | tasks/s | vs Celery | worker CPU per task | the client's enqueue rate (confirmed) |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var key in Keys(results.DotNetClient))
            {
                md.AppendLine(Inv($"| {results.Labels[key]} | {Median(results.DotNetClient, key, s => s.TasksPerSecond):N0} | {Ratio(results.DotNetClient, key, "celery", s => s.TasksPerSecond):0.00}x | {Median(results.DotNetClient, key, s => s.CpuMsPerTask):0.00} ms | {Median(results.DotNetClient, key, s => s.EnqueuePerSecond ?? 0):N0}/s |"));
            }

            md.AppendLine();
        }

        if (results.Peers.Count > 0)
        {
            md.AppendLine("### The .NET peers, same broker, same machine, same worker count");
            md.AppendLine();
            md.AppendLine("| worker | tasks/s | Celeriac (defaults) vs it | worker CPU per task | peak RSS |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var key in Keys(results.Peers))
            {
                md.AppendLine(Inv($"| {results.Labels[key]} | {Median(results.Peers, key, s => s.TasksPerSecond):N0} | {CrossRatio(key):0.00}x | {Median(results.Peers, key, s => s.CpuMsPerTask):0.00} ms | {Median(results.Peers, key, s => s.PeakRssMiB):0} MiB |"));
            }

            md.AppendLine();
        }

        if (results.Http.Count > 0)
        {
            md.AppendLine("### HTTP API: `POST /api/tasks/tasks.noop` on `celeriac serve` (embedded worker running the tasks)");
            md.AppendLine();
            md.AppendLine("| load | requests/s | p50 | p99 |");
            md.AppendLine("|---|---:|---:|---:|");
            foreach (var (key, level) in results.Http.Select(s => (s.Key, s.Level)).Distinct())
            {
                var at = results.Http.Where(s => s.Key == key && s.Level == level).ToList();
                var callers = Inv($"{level} caller{(level == 1 ? "" : "s")}, closed loop");
                var load = key switch
                {
                    "http-rate" => Inv($"{level}/s, open loop"),
                    "broker-confirm" => $"broker alone: RabbitMQ.Client publishing confirmed persistent messages, {callers}",
                    _ => callers,
                };
                md.AppendLine(Inv($"| {load} | {MedianOf(at.Select(s => s.Achieved)):N0} | {MedianOf(at.Select(s => s.P50Ms)):0.00} ms | {MedianOf(at.Select(s => s.P99Ms)):0.00} ms |"));
            }

            md.AppendLine();
            md.AppendLine("A closed loop's callers each POST again as soon as their 202 arrives, so the server runs at whatever pace they reach; an open loop POSTs on a fixed schedule, whatever the answers. The broker-alone rows time what every POST waits for, with no HTTP and no worker: callers publishing a persistent 512-byte message on one channel and awaiting the broker's confirm, on the same broker after the server has stopped.");

            md.AppendLine();
        }

        if (results.Latency.Count > 0)
        {
            md.AppendLine("### Enqueue-to-result latency at fixed rates (.NET client, open loop, send call to result received)");
            md.AppendLine();
            md.AppendLine("| worker | rate | p50 | p99 |");
            md.AppendLine("|---|---:|---:|---:|");
            foreach (var group in results.Latency.GroupBy(s => (s.Key, s.Level)))
            {
                md.AppendLine(Inv($"| {results.Labels[group.Key.Key]} | {group.Key.Level:0}/s | {MedianOf(group.Select(s => s.P50Ms)):0.00} ms | {MedianOf(group.Select(s => s.P99Ms)):0.00} ms |"));
            }

            md.AppendLine();
        }

        if (results.IdleRss.Count > 0)
        {
            md.AppendLine("### Resident memory (whole process tree: Celery's prefork pool counts every process)");
            md.AppendLine();
            md.AppendLine("| worker | idle | peak under the drain |");
            md.AppendLine("|---|---:|---:|");
            foreach (var (key, idle) in results.IdleRss)
            {
                var loaded = results.Drain.Concat(results.Peers).Where(s => s.Key == key).Select(s => s.PeakRssMiB).ToList();
                md.AppendLine(Inv($"| {results.Labels[key]} | {MedianOf(idle):0} MiB | {(loaded.Count > 0 ? MedianOf(loaded) : double.NaN):0} MiB |"));
            }

            md.AppendLine();
        }

        // One run's profile is enough to read; every run's is in the JSON.
        foreach (var profile in results.Profiles.Take(1))
        {
            md.AppendLine("### Profile of the default pipeline (benchmark host, stopwatch per stage, the first run)");
            md.AppendLine();
            md.AppendLine(profile);
        }

        md.AppendLine(Targets());
        return md.ToString();
    }

    /// <summary>The short table for the README.</summary>
    public string ReadmeTable()
    {
        var md = new StringBuilder();
        md.AppendLine(Inv($"`./bench.sh` on {results.Machine["cpu"]} ({results.Machine["date"]}; {results.Machine["settings"]}): pre-loaded no-op tasks drained at concurrency {settings.Concurrency}, timed by the results arriving, every result checked; medians, ratios within a run. Details, the peers' guarantees and every other measurement: [docs/benchmarks.md](docs/benchmarks.md)."));
        md.AppendLine();
        md.AppendLine("| worker | tasks/s | vs Celery | worker CPU per task | peak RSS |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        // The ceiling row that sends the events as the workers do, the fastest of them.
        foreach (var key in Keys(results.Drain).Where(k => k is "celery" or "celeriac" or "celeriac-noevents" or "ceiling-multi"))
        {
            md.AppendLine(Inv($"| {results.Labels[key]} | {Median(results.Drain, key, s => s.TasksPerSecond):N0} | {Ratio(results.Drain, key, "celery", s => s.TasksPerSecond):0.00}x | {Median(results.Drain, key, s => s.CpuMsPerTask):0.00} ms | {Median(results.Drain, key, s => s.PeakRssMiB):0} MiB |"));
        }

        foreach (var key in Keys(results.Peers))
        {
            md.AppendLine(Inv($"| {results.Labels[key]} | {Median(results.Peers, key, s => s.TasksPerSecond):N0} | | {Median(results.Peers, key, s => s.CpuMsPerTask):0.00} ms | {Median(results.Peers, key, s => s.PeakRssMiB):0} MiB |"));
        }

        return md.ToString();
    }

    public void WriteChart(string path)
    {
        var rows = Keys(results.Drain).Select(k => (Label: results.Labels[k], Value: Median(results.Drain, k, s => s.TasksPerSecond), Kind: k))
            .Concat(Keys(results.Peers).Select(k => (Label: results.Labels[k], Value: Median(results.Peers, k, s => s.TasksPerSecond), Kind: k)))
            .Reverse()
            .ToList();
        if (rows.Count == 0)
        {
            return;
        }

        var plot = new ScottPlot.Plot();
        var bars = rows.Select((r, i) => new ScottPlot.Bar
        {
            Position = i,
            Value = r.Value,
            Label = r.Value.ToString("N0", s_invariant),
            FillColor = r.Kind switch
            {
                "celery" => ScottPlot.Colors.SeaGreen,
                var k when k.StartsWith("ceiling", StringComparison.Ordinal) => ScottPlot.Colors.Gray,
                var k when k.StartsWith("celeriac", StringComparison.Ordinal) => ScottPlot.Colors.DarkOrange,
                _ => ScottPlot.Colors.SteelBlue,
            },
        }).ToList();
        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        plot.Axes.Left.SetTicks(rows.Select((_, i) => (double)i).ToArray(), rows.Select(r => r.Label).ToArray());
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.Title(Inv($"Drain throughput, no-op tasks, concurrency {settings.Concurrency} (median of {settings.Runs} runs, {results.Machine["date"]})"));
        plot.XLabel("tasks per second (higher is better)");
        plot.SavePng(path, 1400, 720);
    }

    public void UpdateDocs(string docs, string readme)
    {
        Replace(docs, DocsBegin, DocsEnd, Markdown() + Environment.NewLine + "![Drain throughput](benchmarks.png)" + Environment.NewLine);
        if (results.Drain.Count > 0)
        {
            Replace(readme, ReadmeBegin, ReadmeEnd, ReadmeTable());
        }
    }

    private string Targets()
    {
        var md = new StringBuilder();
        md.AppendLine("### Against the targets of issue 8 (defaults: events on, durable records on)");
        md.AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---|---|");
        void Row(string target, double value, string format, bool met) =>
            md.AppendLine(Inv($"| {target} | {value.ToString(format, s_invariant)} | {(double.IsNaN(value) ? "not measured" : met ? "yes" : "**no**")} |"));
        if (results.Drain.Count > 0)
        {
            var vsCelery = Ratio(results.Drain, "celeriac", "celery", s => s.TasksPerSecond);
            Row("drain >= 2.5x Celery", vsCelery, "0.00'x'", vsCelery >= 2.5);
            var ceiling = OfCeiling("celeriac");
            Row("drain >= 80% of the broker ceiling", 100 * ceiling, "0'%'", ceiling >= 0.8);
            var cpu = Ratio(results.Drain, "celeriac", "celery", s => s.CpuMsPerTask);
            Row("worker CPU per task <= 1/4 of Celery's", cpu, "0.00'x of Celery'", cpu <= 0.25);
            var rss = Median(results.Drain, "celeriac", s => s.PeakRssMiB);
            Row("worker RSS under load < 150 MB", rss, "0' MiB'", rss < 143);
        }

        foreach (var key in Keys(results.Peers))
        {
            var ahead = CrossRatio(key);
            if (key == "mt")
            {
                // Not equal work: no result to publish and confirm, no events, no record; the row with a response is the parity one.
                md.AppendLine(Inv($"| next to {results.Labels[key]} (less work: no result, no events, no record) | {ahead.ToString("0.00'x'", s_invariant)} | not a target |"));
                continue;
            }

            Row($"ahead of {results.Labels[key]}", ahead, "0.00'x'", ahead > 1.1);
        }

        var at500 = results.Latency.Where(s => s.Key == "celeriac" && s.Level == 500).Select(s => s.P99Ms).ToList();
        if (at500.Count > 0)
        {
            Row("p99 enqueue-to-result < 20 ms at 500/s", MedianOf(at500), "0.0' ms'", MedianOf(at500) < 20);
        }

        var http = results.Http.Where(s => s.Key == "http" && s.Level == 8).Select(s => s.P99Ms).ToList();
        if (http.Count > 0)
        {
            var brokerAlone = MedianOf(results.Http.Where(s => s.Key == "broker-confirm" && s.Level == 8).Select(s => s.P99Ms));
            var brokerNote = double.IsNaN(brokerAlone) ? "" : Inv($"; the broker's own confirm alone: {brokerAlone:0.0} ms");
            Row($"p99 HTTP enqueue < 10 ms at moderate load (8 callers, closed loop{brokerNote})", MedianOf(http), "0.0' ms'", MedianOf(http) < 10);
        }

        var httpAt500 = results.Http.Where(s => s.Key == "http-rate" && s.Level == 500).Select(s => s.P99Ms).ToList();
        if (httpAt500.Count > 0)
        {
            Row("p99 HTTP enqueue < 10 ms at 500 requests/s (open loop)", MedianOf(httpAt500), "0.0' ms'", MedianOf(httpAt500) < 10);
        }

        return md.ToString();
    }

    // The worker's pace over the fastest ceiling of the same run, median over runs.
    private double OfCeiling(string key)
    {
        var ratios = results.Drain.Where(s => s.Key == key)
            .Select(s => (Mine: s, Best: results.Drain.Where(c => c.Run == s.Run && c.Key.StartsWith("ceiling", StringComparison.Ordinal))
                .Select(c => c.TasksPerSecond).DefaultIfEmpty(double.NaN).Max()))
            .Select(x => x.Mine.TasksPerSecond / x.Best)
            .ToList();
        return ratios.Count == 0 ? double.NaN : MedianOf(ratios);
    }

    // Celeriac's default worker (from the drain of the same run) over the peer.
    private double CrossRatio(string peer)
    {
        var ratios = results.Peers.Where(s => s.Key == peer)
            .Select(p => (Peer: p, Ours: results.Drain.FirstOrDefault(d => d.Key == "celeriac" && d.Run == p.Run)))
            .Where(x => x.Ours is not null)
            .Select(x => x.Ours!.TasksPerSecond / x.Peer.TasksPerSecond)
            .ToList();
        return ratios.Count == 0 ? double.NaN : MedianOf(ratios);
    }

    private static IEnumerable<string> Keys(IEnumerable<DrainSample> samples) => samples.Select(s => s.Key).Distinct();

    private static double Median(IEnumerable<DrainSample> samples, string key, Func<DrainSample, double> value) =>
        MedianOf(samples.Where(s => s.Key == key).Select(value));

    private static double Ratio(List<DrainSample> samples, string key, string baseline, Func<DrainSample, double> value)
    {
        var ratios = samples.Where(s => s.Key == key)
            .Select(s => (Mine: s, Base: samples.FirstOrDefault(b => b.Key == baseline && b.Run == s.Run)))
            .Where(x => x.Base is not null)
            .Select(x => value(x.Mine) / value(x.Base!))
            .ToList();
        return ratios.Count == 0 ? double.NaN : MedianOf(ratios);
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Replace(string path, string begin, string end, string content)
    {
        var text = File.ReadAllText(path);
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        if (from < 0 || to < from)
        {
            Console.Error.WriteLine($"{path}: no {begin} ... {end} markers; not updated");
            return;
        }

        File.WriteAllText(path, text[..(from + begin.Length)] + Environment.NewLine + content + text[to..]);
    }

    private static string Inv(FormattableString text) => text.ToString(s_invariant);
}
