using System.Globalization;
using Celeriac.Benchmarks;

// Benchmarks that print numbers (dotnet run -c Release --project benchmarks/Celeriac.Benchmarks -- MODE). Modes:
//   store [--seconds N] [--dir PATH]   cost per task of the store's four writes, by store and concurrency
//   suite --amqp-port P --mgmt-port M [--pg-port G] [--tasks N] [--warmup N] [--hangfire-tasks N] [--runs R] [--concurrency C]
//         [--step-seconds S] [--before DIR,DIR] [--only KEY,KEY] [--sections drain,dotnet-client,peers,http,latency,memory,profile] --root DIR --work DIR --out DIR
//                                      everything ./bench.sh runs (use ./bench.sh: it starts the broker and PostgreSQL)
//   report [--json docs/benchmarks.json] [--root DIR]   the docs, chart and README table again from a suite's JSON
//   worker --url U [-c C] [--prefetch-multiplier M] [--records true|false] [--events true|false] [--data-dir D] [--profile FILE]
//                                      a Celeriac worker hosted here (records can be switched off; --profile writes the time of each stage to FILE)
//   ceiling --url U [--prefetch P] [--batch-events true]
//                                      the same broker traffic per task, moved by RabbitMQ.Client alone
var mode = args.FirstOrDefault();
switch (mode)
{
    case "store":
        var seconds = Option(args, "--seconds", 2.0);
        var directory = Text(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "celeriac-bench");
        await StoreBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), directory);
        return 0;
    case "suite":
        var settings = new SuiteSettings
        {
            AmqpPort = (int)Option(args, "--amqp-port", 5672),
            ManagementPort = (int)Option(args, "--mgmt-port", 15672),
            PostgresPort = (int)Option(args, "--pg-port", 0),
            Tasks = (int)Option(args, "--tasks", 20_000),
            Warmup = (int)Option(args, "--warmup", 20_000),
            HangfireTasks = (int)Option(args, "--hangfire-tasks", 500),
            Runs = (int)Option(args, "--runs", 3),
            Concurrency = (int)Option(args, "--concurrency", Environment.ProcessorCount),
            StepSeconds = Option(args, "--step-seconds", 3),
            Root = Path.GetFullPath(Text(args, "--root") ?? "."),
            WorkDirectory = Path.GetFullPath(Text(args, "--work") ?? Path.Combine(Path.GetTempPath(), "celeriac-bench")),
            Output = Path.GetFullPath(Text(args, "--out") ?? "docs"),
            Before = Text(args, "--before")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [],
            Only = Text(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
        };
        if (Text(args, "--sections") is { } sections)
        {
            settings = settings with { Sections = sections.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet() };
        }

        return await new Suite(settings).RunAsync();
    case "report":
        // Writes the docs again from a suite's JSON (e.g. after changing the report), without running anything.
        var saved = System.Text.Json.JsonSerializer.Deserialize<SuiteResults>(await File.ReadAllTextAsync(Text(args, "--json") ?? "docs/benchmarks.json"),
            new System.Text.Json.JsonSerializerOptions { PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Populate })!;
        var root = Path.GetFullPath(Text(args, "--root") ?? ".");
        var reportSettings = new SuiteSettings
        {
            AmqpPort = 0,
            ManagementPort = 0,
            Runs = (int)Option(args, "--runs", saved.Drain.Select(d => d.Run).DefaultIfEmpty(1).Max()),
            Concurrency = (int)Option(args, "--concurrency", Environment.ProcessorCount),
            Root = root,
            WorkDirectory = Path.GetTempPath(),
            Output = Path.Combine(root, "docs"),
        };
        var report = new Report(saved, reportSettings);
        Console.WriteLine(report.Markdown());
        report.WriteChart(Path.Combine(reportSettings.Output, "benchmarks.png"));
        report.UpdateDocs(Path.Combine(root, "docs/benchmarks.md"), Path.Combine(root, "README.md"));
        return 0;
    case "worker":
        // The worker hosts and the ceiling run with the runtime settings `celeriac` ships, this one included.
        Celeriac.Server.SocketCompletions.PreferInline();
        return await BenchWorker.RunAsync(Text(args, "--url")!, (int)Option(args, "-c", Environment.ProcessorCount), (int)Option(args, "--prefetch-multiplier", 4),
            Text(args, "--records") != "false", Text(args, "--events") != "false",
            Text(args, "--data-dir") ?? Path.Combine(Path.GetTempPath(), $"celeriac-bench-{Environment.ProcessId}"), Text(args, "--profile"));
    case "ceiling":
        Celeriac.Server.SocketCompletions.PreferInline();
        return await CeilingWorker.RunAsync(Text(args, "--url")!, "celery", (ushort)Option(args, "--prefetch", 8), Text(args, "--batch-events") == "true");
    default:
        Console.Error.WriteLine("usage: Celeriac.Benchmarks store|suite|worker|ceiling ... (see Program.cs)");
        return 2;
}

static string? Text(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static double Option(string[] args, string name, double fallback)
{
    var value = Text(args, name);
    return value is null ? fallback : double.Parse(value, CultureInfo.InvariantCulture);
}
