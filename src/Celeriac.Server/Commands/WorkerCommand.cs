using System.CommandLine;
using Celeriac.RabbitMQ.Worker;
using Celeriac.Server.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Server.Commands;

/// <summary><c>celeriac worker</c>: runs a worker with the demo tasks, like <c>celery -A tasks worker</c>.</summary>
internal static class WorkerCommand
{
    private static readonly Option<int> s_concurrency = new("--concurrency", "-c")
    {
        Description = "How many tasks run at once. Default: the number of CPUs.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    private static readonly Option<string?> s_hostname = new("--hostname", "-n")
    {
        Description = "The node name, e.g. worker1@%h (%h is this machine's name). Default: celeriac@<machine>.",
    };

    private static readonly Option<string> s_queues = new("--queues", "-Q")
    {
        Description = "Comma-separated queues to consume.",
        DefaultValueFactory = _ => "celery",
    };

    private static readonly Option<int> s_prefetch = new("--prefetch-multiplier")
    {
        Description = "Messages fetched ahead per concurrency slot (0 = unlimited).",
        DefaultValueFactory = _ => 4,
    };

    private static readonly Option<bool> s_noTaskEvents = new("--without-task-events")
    {
        Description = "Do not send task events (they are on by default; monitors need them).",
    };

    private static readonly Option<bool> s_taskEvents = new("--task-events", "-E")
    {
        Description = "Accepted for Celery compatibility: task events are already on.",
    };

    private static readonly Option<double> s_shutdownTimeout = new("--shutdown-timeout")
    {
        Description = "Seconds a warm shutdown lets running tasks finish before requeueing them.",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<string?> s_stateDir = new("--state-dir")
    {
        Description = "Where revoked task ids are kept across restarts. Default: ~/.local/state/celeriac.",
    };

    public static Command Create()
    {
        var command = new Command("worker", "Run a worker that executes tasks from the broker.")
        {
            s_concurrency, s_hostname, s_queues, s_prefetch, s_noTaskEvents, s_taskEvents, s_shutdownTimeout, s_stateDir,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var level = CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!);
        var brokerUrl = CommonOptions.NormalizeBrokerUrl(parse.GetValue(CommonOptions.Broker)!);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.UseCeleryConsole(level);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(s_shutdownTimeout) + 15));
        builder.Services.Configure<DemoTaskOptions>(o => o.AddSleep = DemoSleepFromEnvironment());
        builder.Services
            .AddCeleriac(o =>
            {
                o.Concurrency = parse.GetValue(s_concurrency);
                o.Hostname = ExpandHostname(parse.GetValue(s_hostname) ?? "celeriac@%h");
                o.Queues = parse.GetValue(s_queues)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                o.PrefetchMultiplier = parse.GetValue(s_prefetch);
                o.ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(s_shutdownTimeout));
                o.StateDirectory = parse.GetValue(s_stateDir);
            })
            .ConfigureEvents(o => o.SendTaskEvents = !parse.GetValue(s_noTaskEvents))
            .AddTasks<DemoTasks>()
            .UseRabbitMq(o => o.Url = brokerUrl)
            .AddWorker();

        using var host = builder.Build();
        var worker = host.Services.GetRequiredService<CeleryWorkerService>();
        // The host owns Ctrl-C and SIGTERM (a warm shutdown); the command line parser is told not to.
        await host.RunAsync(CancellationToken.None);
        return worker.Ready.IsFaulted ? 1 : 0;
    }

    private static string ExpandHostname(string hostname) =>
        hostname.Replace("%h", Environment.MachineName, StringComparison.Ordinal)
            .Replace("%n", Environment.MachineName.Split('.')[0], StringComparison.Ordinal);

    private static TimeSpan DemoSleepFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable("CELERIAC_DEMO_ADD_SLEEP"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
}
