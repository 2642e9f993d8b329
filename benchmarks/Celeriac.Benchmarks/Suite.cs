using System.Globalization;
using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using RabbitMQ.Client;

namespace Celeriac.Benchmarks;

/// <summary>What ./bench.sh passes to the suite.</summary>
internal sealed record SuiteSettings
{
    public required int AmqpPort { get; init; }
    public required int ManagementPort { get; init; }
    public int PostgresPort { get; init; }
    public int Tasks { get; init; } = 20_000;
    public int HangfireTasks { get; init; } = 500;

    /// <summary>
    /// Tasks run ahead of the timed ones in every drain, untimed: the JIT compiler of a .NET worker (and MassTransit's)
    /// is still optimising hot code for several seconds after start, which a long-running worker pays once.
    /// </summary>
    public int Warmup { get; init; } = 20_000;

    /// <summary>The same for Hangfire, which runs a few hundred jobs a second at best.</summary>
    public int HangfireWarmup => Math.Min(Warmup, HangfireTasks / 5);
    public int Runs { get; init; } = 3;
    public int Concurrency { get; init; } = Environment.ProcessorCount;
    public double StepSeconds { get; init; } = 3;
    public required string Root { get; init; }
    public required string WorkDirectory { get; init; }
    public required string Output { get; init; }
    public string Python { get; init; } = "/usr/bin/python3";

    /// <summary>Other builds' output folders (celeriac.dll): their default workers join the drain, for before/after numbers.</summary>
    public IReadOnlyList<string> Before { get; init; } = [];

    /// <summary>When set, only these drain workers (keys, e.g. celery,celeriac,celeriac-before-1).</summary>
    public HashSet<string>? Only { get; init; }
    public HashSet<string> Sections { get; init; } = ["drain", "profile", "dotnet-client", "peers", "http", "latency", "memory"];
}

/// <summary>Everything one suite run measured, kept as JSON beside the report.</summary>
internal sealed class SuiteResults
{
    public List<DrainSample> Drain { get; } = [];
    public List<DrainSample> DotNetClient { get; } = [];
    public List<DrainSample> Peers { get; } = [];
    public List<LatencySample> Http { get; } = [];
    public List<LatencySample> Latency { get; } = [];
    public Dictionary<string, List<double>> IdleRss { get; } = [];
    public Dictionary<string, string> Labels { get; } = [];
    public Dictionary<string, string> Machine { get; } = [];
    public List<string> Profiles { get; } = [];
}

/// <summary>
/// The benchmark suite: every measurement several times, interleaved (run 1 of every worker, then run 2, ...), so a
/// noisy neighbour hits all of them alike; ratios are taken within a run, then the median over runs.
/// </summary>
internal sealed class Suite(SuiteSettings settings)
{
    // Load ahead of the HTTP and fixed-rate steps, untimed: the drains' warm-up, in time rather than tasks.
    private static readonly TimeSpan s_warmupTime = TimeSpan.FromSeconds(10);

    private readonly string _celeriac = Path.Combine(settings.Root, "src/Celeriac.Server/bin/Release/net10.0/celeriac.dll");
    private readonly string _bench = typeof(Suite).Assembly.Location;
    private readonly string _peers = Path.Combine(settings.Root, "benchmarks/Celeriac.Benchmarks.Peers/bin/Release/net10.0/Celeriac.Benchmarks.Peers.dll");
    private readonly string _pythonDirectory = Path.Combine(settings.Root, "benchmarks/python");

    public async Task<int> RunAsync()
    {
        Directory.CreateDirectory(settings.WorkDirectory);
        Directory.CreateDirectory(settings.Output);
        using var broker = new Broker(settings.AmqpPort, settings.ManagementPort);
        var drain = new Drain(broker, settings.WorkDirectory, settings.Warmup);
        var results = new SuiteResults();
        Describe(results);
        var c = settings.Concurrency;
        var scenarios = DrainScenarios(c).Where(s => settings.Only is null || settings.Only.Contains(s.Key)).ToList();
        var peers = PeerScenarios(c);
        foreach (var s in scenarios.Concat(peers))
        {
            results.Labels[s.Key] = s.Label;
        }

        IReadOnlyList<CapturedMessage> load = [];
        if (settings.Sections.Contains("drain") || settings.Sections.Contains("profile"))
        {
            Say($"capturing {settings.Warmup} + {settings.Tasks} tasks sent by Celery's Python client");
            load = await drain.CaptureCeleryLoadAsync(settings.Python, _pythonDirectory, settings.Warmup + settings.Tasks);
        }

        for (var run = 1; run <= settings.Runs; run++)
        {
            if (settings.Sections.Contains("drain"))
            {
                foreach (var scenario in scenarios)
                {
                    await MachineIdle.WaitAsync(scenario.Key, Say);
                    var sample = await drain.RunAsync(scenario, run, load);
                    results.Drain.Add(sample);
                    Say($"run {run} drain  {scenario.Label,-52} {sample.TasksPerSecond,8:0} tasks/s {sample.CpuMsPerTask,6:0.00} ms CPU/task {sample.PeakRssMiB,6:0} MiB, broker {sample.BrokerCpuMsPerTask,5:0.00} ms CPU/task");
                }
            }

            if (settings.Sections.Contains("profile"))
            {
                await ProfileAsync(drain, load, run, results);
            }

            if (settings.Sections.Contains("dotnet-client"))
            {
                foreach (var scenario in scenarios.Where(s => s.Key is "celery" or "celeriac"))
                {
                    await MachineIdle.WaitAsync(scenario.Key + " (.NET client)", Say);
                    var sample = await drain.RunWithDotNetClientAsync(scenario, run, settings.Warmup + settings.Tasks);
                    results.DotNetClient.Add(sample);
                    Say($"run {run} .NET   {scenario.Label,-52} {sample.TasksPerSecond,8:0} tasks/s (client sent {sample.EnqueuePerSecond:0}/s) {sample.CpuMsPerTask,6:0.00} ms CPU/task");
                }
            }

            if (settings.Sections.Contains("peers"))
            {
                foreach (var scenario in peers)
                {
                    if (scenario.Key.StartsWith("hangfire-pg", StringComparison.Ordinal) && settings.PostgresPort == 0)
                    {
                        continue;
                    }

                    var count = scenario.Key.StartsWith("hangfire", StringComparison.Ordinal)
                        ? settings.HangfireWarmup + settings.HangfireTasks
                        : settings.Warmup + settings.Tasks;
                    await MachineIdle.WaitAsync(scenario.Key, Say);
                    var sample = await drain.RunPeerAsync(scenario, run, count, (url, data) => LoadPeerAsync(scenario.Key, url, data, count));
                    results.Peers.Add(sample);
                    Say($"run {run} peer   {scenario.Label,-52} {sample.TasksPerSecond,8:0} tasks/s {sample.CpuMsPerTask,6:0.00} ms CPU/task {sample.PeakRssMiB,6:0} MiB");
                }
            }

            if (settings.Sections.Contains("http"))
            {
                await MachineIdle.WaitAsync("http", Say);
                results.Http.AddRange(await HttpAsync(broker, run));
            }

            if (settings.Sections.Contains("latency"))
            {
                foreach (var scenario in scenarios.Where(s => s.Key is "celery" or "celeriac"))
                {
                    await MachineIdle.WaitAsync(scenario.Key + " (latency)", Say);
                    results.Latency.AddRange(await FixedRatesAsync(broker, scenario, run));
                }
            }

            if (settings.Sections.Contains("memory"))
            {
                foreach (var scenario in scenarios.Where(s => s.Key is "celery" or "celeriac").Concat(peers.Where(p => p.Key is "mt-respond" || (p.Key == "hangfire-pg" && settings.PostgresPort != 0))))
                {
                    var rss = await drain.IdleRssAsync(scenario);
                    (results.IdleRss.TryGetValue(scenario.Key, out var list) ? list : results.IdleRss[scenario.Key] = []).Add(rss);
                    Say($"run {run} idle   {scenario.Label,-52} {rss,6:0} MiB");
                }
            }
        }

        var json = Path.Combine(settings.Output, "benchmarks.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        var report = new Report(results, settings);
        Console.WriteLine();
        Console.WriteLine(report.Markdown());
        report.WriteChart(Path.Combine(settings.Output, "benchmarks.png"));
        report.UpdateDocs(Path.Combine(settings.Root, "docs/benchmarks.md"), Path.Combine(settings.Root, "README.md"));
        Say($"raw numbers in {json}; docs/benchmarks.md, docs/benchmarks.png and the README's table updated");
        return 0;
    }

    private List<DrainScenario> DrainScenarios(int c)
    {
        var cc = c.ToString(CultureInfo.InvariantCulture);
        WorkerProcess Celery(string url, string log, params string[] extra) => WorkerProcess.Start(settings.Python,
            ["-m", "celery", "--workdir", _pythonDirectory, "-A", "bench_tasks", "worker", $"--concurrency={cc}", "--loglevel=info", "-n", "py@%h", .. extra],
            new Dictionary<string, string> { ["CELERY_BROKER_URL"] = url }, log, " ready.");
        WorkerProcess Cli(string url, string data, string log, params string[] extra) => WorkerProcess.Start("dotnet",
            [_celeriac, "worker", "--concurrency", cc, "--loglevel", "info", "--broker", url, "--data-dir", data, .. extra],
            new Dictionary<string, string>(), log, " ready.");
        WorkerProcess Bench(string url, string data, string log, bool records, bool events) => WorkerProcess.Start("dotnet",
            [_bench, "worker", "--url", url, "-c", cc, "--records", records ? "true" : "false", "--events", events ? "true" : "false", "--data-dir", data],
            new Dictionary<string, string>(), log, "bench-worker ready");
        WorkerProcess Ceiling(string url, string log, int prefetch, bool batchEvents = false) => WorkerProcess.Start("dotnet",
            [_bench, "ceiling", "--url", url, "--prefetch", prefetch.ToString(CultureInfo.InvariantCulture), "--batch-events", batchEvents ? "true" : "false"],
            new Dictionary<string, string>(), log, "ceiling ready");
        var before = settings.Before.Select((folder, i) => new DrainScenario($"celeriac-before-{i + 1}", $"Celeriac worker -c {c}, build in {folder}",
            (url, data, log) => WorkerProcess.Start("dotnet",
                [Path.Combine(folder, "celeriac.dll"), "worker", "--concurrency", cc, "--loglevel", "info", "--broker", url, "--data-dir", data],
                new Dictionary<string, string>(), log, " ready."), " ready.")).ToArray();
        return
        [
            new("celery", $"Celery 5.2.6 prefork -c {c} -E", (url, _, log) => Celery(url, log, "-E"), " ready."),
            .. before,
            new("celeriac", $"Celeriac worker -c {c} (events, durable records)", (url, data, log) => Cli(url, data, log), " ready."),
            new("celeriac-prefetch50", "Celeriac, --prefetch-multiplier 50", (url, data, log) => Cli(url, data, log, "--prefetch-multiplier", "50"), " ready."),
            new("celeriac-norecords", "Celeriac, records off (events on)", (url, data, log) => Bench(url, data, log, records: false, events: true), "bench-worker ready"),
            new("celeriac-noevents", "Celeriac, --without-task-events (records on)", (url, data, log) => Cli(url, data, log, "--without-task-events"), " ready."),
            new("celeriac-bare", "Celeriac, records and events off", (url, data, log) => Bench(url, data, log, records: false, events: false), "bench-worker ready"),
            new("ceiling", $"ceiling: RabbitMQ.Client alone, prefetch {4 * c}", (url, _, log) => Ceiling(url, log, 4 * c), "ceiling ready"),
            new("ceiling-deep", "ceiling: RabbitMQ.Client alone, prefetch 200", (url, _, log) => Ceiling(url, log, 200), "ceiling ready"),
            new("ceiling-multi", "ceiling: RabbitMQ.Client alone, prefetch 200, events as task.multi", (url, _, log) => Ceiling(url, log, 200, batchEvents: true),
                "ceiling ready"),
        ];
    }

    // The default pipeline (events, records) hosted by the benchmark with a stopwatch around every observer and publish,
    // and, when dotnet-counters is installed, the runtime's counters over the same drain.
    private async Task ProfileAsync(Drain drain, IReadOnlyList<CapturedMessage> load, int run, SuiteResults results)
    {
        var cc = settings.Concurrency.ToString(CultureInfo.InvariantCulture);
        var profile = Path.Combine(settings.WorkDirectory, $"profile-{run}.md");
        var counters = Path.Combine(settings.WorkDirectory, $"counters-{run}.csv");
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet/tools/dotnet-counters");
        System.Diagnostics.Process? monitor = null;
        var scenario = new DrainScenario("celeriac-profiled", "Celeriac (benchmark host, events, records, stopwatch per stage)", (url, data, log) =>
        {
            var worker = WorkerProcess.Start("dotnet",
                [_bench, "worker", "--url", url, "-c", cc, "--data-dir", data, "--profile", profile], new Dictionary<string, string>(), log, "bench-worker ready");
            if (File.Exists(tool))
            {
                monitor = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(tool,
                    ["collect", "-p", worker.Pid.ToString(CultureInfo.InvariantCulture), "--format", "csv", "-o", counters, "--refresh-interval", "1",
                        "--counters", "System.Runtime"]) { RedirectStandardOutput = true, RedirectStandardError = true });
            }

            return worker;
        }, "bench-worker ready");
        results.Labels[scenario.Key] = scenario.Label;
        var sample = await drain.RunAsync(scenario, run, load);
        results.Drain.Add(sample);
        if (monitor is not null)
        {
            await monitor.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            monitor.Dispose();
        }

        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {run}: {sample.TasksPerSecond:0} tasks/s, {sample.CpuMsPerTask:0.00} ms CPU per task.");
        text.AppendLine();
        text.Append(File.Exists(profile) ? await File.ReadAllTextAsync(profile) : "(no stage profile written)\n");
        if (File.Exists(counters))
        {
            text.AppendLine();
            text.AppendLine(Counters(await File.ReadAllLinesAsync(counters)));
        }

        results.Profiles.Add(text.ToString());
        Say($"run {run} profile {sample.TasksPerSecond:0} tasks/s\n{text}");
    }

    // The busiest second of each counter dotnet-counters wrote (CSV: timestamp, provider, counter, type, value).
    private static string Counters(string[] lines)
    {
        var peaks = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length >= 5 && double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                var name = fields[2];
                peaks[name] = peaks.TryGetValue(name, out var seen) ? Math.Max(seen, value) : value;
            }
        }

        var text = new System.Text.StringBuilder("| dotnet-counters (System.Runtime), highest value seen | value |\n|---|---:|\n");
        foreach (var (name, value) in peaks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value:0.###} |");
        }

        return text.ToString();
    }

    private List<DrainScenario> PeerScenarios(int c)
    {
        var cc = c.ToString(CultureInfo.InvariantCulture);
        WorkerProcess Peer(string log, params string[] arguments) =>
            WorkerProcess.Start("dotnet", [_peers, .. arguments], new Dictionary<string, string>(), log, "peer ready");
        var tasks = (settings.Warmup + settings.Tasks).ToString(CultureInfo.InvariantCulture);
        var warmup = settings.Warmup.ToString(CultureInfo.InvariantCulture);
        var hangfireTasks = (settings.HangfireWarmup + settings.HangfireTasks).ToString(CultureInfo.InvariantCulture);
        var hangfireWarmup = settings.HangfireWarmup.ToString(CultureInfo.InvariantCulture);
        return
        [
            new("mt", $"MassTransit 8.5.12, no-op consumer, {c} concurrent", (url, _, log) => Peer(log, "mt-work", url, tasks, cc, "false", warmup), "peer ready", Completion.SelfReported),
            new("mt-respond", $"MassTransit 8.5.12, consumer with a response, {c} concurrent", (url, _, log) => Peer(log, "mt-work", url, tasks, cc, "true", warmup), "peer ready",
                Completion.MassTransitResponse),
            new("hangfire-pg", $"Hangfire 1.8.25 on PostgreSQL 15, {c} workers", (_, data, log) => Peer(log, "hangfire-work", "pg", PgConnection(data), hangfireTasks, cc, hangfireWarmup), "peer ready",
                Completion.SelfReported),
            new("hangfire-sqlite", $"Hangfire 1.8.25 on SQLite (Hangfire.Storage.SQLite 0.4.3), {c} workers",
                (_, data, log) => Peer(log, "hangfire-work", "sqlite", Path.Combine(data, "hangfire.db"), hangfireTasks, cc, hangfireWarmup), "peer ready", Completion.SelfReported),
        ];
    }

    private string PgConnection(string dataDirectory) =>
        $"Host=127.0.0.1;Port={settings.PostgresPort};Username=postgres;Database=postgres;SearchPath=hf_{Math.Abs(dataDirectory.GetHashCode()):x}";

    private async Task LoadPeerAsync(string key, string url, string dataDirectory, int count)
    {
        var arguments = key.StartsWith("mt", StringComparison.Ordinal)
            ? new[] { "mt-load", url, count.ToString(CultureInfo.InvariantCulture) }
            : key == "hangfire-pg"
                ? ["hangfire-load", "pg", PgConnection(dataDirectory), count.ToString(CultureInfo.InvariantCulture)]
                : ["hangfire-load", "sqlite", Path.Combine(dataDirectory, "hangfire.db"), count.ToString(CultureInfo.InvariantCulture)];
        await using var loader = WorkerProcess.Start("dotnet", [_peers, .. arguments], new Dictionary<string, string>(),
            Path.Combine(dataDirectory, "load.log"), "\u0000");
        if (!await loader.WaitExitAsync(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"{key}: loading {count} messages took more than 5 minutes");
        }
    }

    /// <summary>The fixed rates of the HTTP step's open loop, after its closed-loop levels.</summary>
    public static readonly int[] HttpRates = [200, 500];

    private static readonly int[] HttpConcurrency = [1, 8, 32];

    private async Task<List<LatencySample>> HttpAsync(Broker broker, int run)
    {
        var vhost = $"http-{run}-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var data = Path.Combine(settings.WorkDirectory, vhost);
        var port = Latency.FreeTcpPort();
        var samples = new List<LatencySample>();
        try
        {
            samples.AddRange(await HttpApiAsync(broker, vhost, data, port, run));
            samples.AddRange(await ConfirmedPublishAsync(broker, vhost, run));
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
        }

        return samples;
    }

    private async Task<List<LatencySample>> HttpApiAsync(Broker broker, string vhost, string data, int port, int run)
    {
        var samples = new List<LatencySample>();
        await using var server = WorkerProcess.Start("dotnet",
            [_celeriac, "serve", "--urls", $"http://127.0.0.1:{port}", "--concurrency", settings.Concurrency.ToString(CultureInfo.InvariantCulture),
                "--loglevel", "info", "--broker", broker.Url(vhost), "--data-dir", data],
            new Dictionary<string, string>(), Path.Combine(settings.WorkDirectory, vhost + ".log"), " ready.");
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        // Long enough for the JIT compiler to finish optimising the server's hot code (about 8 s of load here).
        await Latency.HttpAsync(http, "warm-up", run, 8, s_warmupTime);
        foreach (var concurrency in HttpConcurrency)
        {
            var sample = await Latency.HttpAsync(http, "http", run, concurrency, TimeSpan.FromSeconds(settings.StepSeconds));
            samples.Add(sample);
            Say($"run {run} http   POST /api/tasks/tasks.noop, {concurrency,2} callers {sample.Achieved,8:0} req/s p50 {sample.P50Ms:0.00} ms p99 {sample.P99Ms:0.00} ms ({sample.Errors} errors)");
        }

        foreach (var rate in HttpRates)
        {
            var sample = await Latency.HttpFixedRateAsync(http, "http-rate", run, rate, TimeSpan.FromSeconds(settings.StepSeconds));
            samples.Add(sample);
            Say($"run {run} http   POST /api/tasks/tasks.noop at {rate,4}/s {sample.Achieved,8:0} req/s p50 {sample.P50Ms:0.00} ms p99 {sample.P99Ms:0.00} ms ({sample.Errors} errors)");
        }

        return samples;
    }

    // The broker alone, after the server has stopped: callers publishing confirmed persistent messages, what each POST waits for.
    private async Task<List<LatencySample>> ConfirmedPublishAsync(Broker broker, string vhost, int run)
    {
        const string Queue = "bench.confirmed";
        var samples = new List<LatencySample>();
        await using var connection = await broker.ConnectAsync(vhost, "bench-confirmed-publish");
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        await Latency.ConfirmedPublishAsync(channel, Queue, "warm-up", run, 8, TimeSpan.FromSeconds(3));
        foreach (var concurrency in HttpConcurrency)
        {
            var sample = await Latency.ConfirmedPublishAsync(channel, Queue, "broker-confirm", run, concurrency, TimeSpan.FromSeconds(settings.StepSeconds));
            samples.Add(sample);
            Say($"run {run} http   broker alone: confirmed publish, {concurrency,2} callers {sample.Achieved,8:0} msg/s p50 {sample.P50Ms:0.00} ms p99 {sample.P99Ms:0.00} ms");
        }

        return samples;
    }

    private async Task<List<LatencySample>> FixedRatesAsync(Broker broker, DrainScenario scenario, int run)
    {
        var vhost = $"lat-{scenario.Key}-{run}-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var data = Path.Combine(settings.WorkDirectory, vhost);
        Directory.CreateDirectory(data);
        var samples = new List<LatencySample>();
        try
        {
            await using (var connection = await broker.ConnectAsync(vhost, "bench-driver"))
            await using (var channel = await connection.CreateChannelAsync())
            {
                await Broker.DeclareSinksAsync(channel, "bench.results");
            }

            await using var worker = scenario.Start(broker.Url(vhost), data, Path.Combine(settings.WorkDirectory, vhost + ".log"));
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await using var client = CeleryClient.Create(broker.Url(vhost));
            await Latency.FixedRateAsync(client, "warm-up", run, 1000, s_warmupTime);
            foreach (var rate in new[] { 200, 500, 1000 })
            {
                var sample = await Latency.FixedRateAsync(client, scenario.Key, run, rate, TimeSpan.FromSeconds(settings.StepSeconds));
                samples.Add(sample);
                Say($"run {run} rate   {scenario.Label,-40} {rate,5}/s sent {sample.Achieved,6:0}/s p50 {sample.P50Ms,6:0.00} ms p99 {sample.P99Ms,7:0.00} ms ({sample.Errors} errors)");
            }
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
        }

        return samples;
    }

    private void Describe(SuiteResults results)
    {
        string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
        var cpu = Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memory = Read("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var os = Read("/etc/os-release").Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"') ?? "?";
        results.Machine["cpu"] = $"{Environment.ProcessorCount} x {cpu}";
        results.Machine["memory"] = memory;
        results.Machine["os"] = os;
        results.Machine["dotnet"] = Environment.Version.ToString();
        results.Machine["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        results.Machine["load"] = Read("/proc/loadavg").Trim();
        results.Machine["settings"] = $"{settings.Tasks} timed tasks per drain after {settings.Warmup} untimed ({settings.HangfireTasks} after {settings.HangfireWarmup} for Hangfire), {settings.Runs} runs, concurrency {settings.Concurrency}, {settings.StepSeconds:0.#} s per load step";
    }

    private static void Say(string line) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
}
