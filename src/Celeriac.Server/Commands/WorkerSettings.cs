using System.CommandLine;
using Celeriac.Core.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Server.Commands;

/// <summary>
/// What a process that runs tasks needs, shared by <c>worker</c> and <c>serve</c> (which embeds a worker):
/// worker options, the broker, the task record store and the demo tasks.
/// </summary>
internal static class WorkerSettings
{
    /// <summary>The environment variable that names the data folder.</summary>
    public const string DataDirectoryVariable = "CELERIAC_DATA_DIR";

    public static Option<int> Concurrency { get; } = new("--concurrency", "-c")
    {
        Description = "How many tasks run at once. Default: the number of CPUs.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<string?> Hostname { get; } = new("--hostname", "-n")
    {
        Description = "The node name, e.g. worker1@%h (%h is this machine's name). Default: celeriac@<machine>.",
    };

    public static Option<string> Queues { get; } = new("--queues", "-Q")
    {
        Description = "Comma-separated queues to consume.",
        DefaultValueFactory = _ => "celery",
    };

    public static Option<int> PrefetchMultiplier { get; } = new("--prefetch-multiplier")
    {
        Description = "Messages fetched ahead per concurrency slot (0 = unlimited).",
        DefaultValueFactory = _ => 4,
    };

    public static Option<bool> WithoutTaskEvents { get; } = new("--without-task-events")
    {
        Description = "Do not send task events (they are on by default; monitors need them).",
    };

    public static Option<bool> TaskEvents { get; } = new("--task-events", "-E")
    {
        Description = "Accepted for Celery compatibility: task events are already on.",
    };

    public static Option<double> ShutdownTimeout { get; } = new("--shutdown-timeout")
    {
        Description = "Seconds a warm shutdown lets running tasks finish before requeueing them.",
        DefaultValueFactory = _ => 20,
    };

    public static Option<string?> DataDirectory { get; } = new("--data-dir", "--state-dir")
    {
        Description = $"Where task records (tasks.db) are kept; processes that share it share records. Default: ${DataDirectoryVariable} or ~/.local/share/celeriac.",
    };

    public static IEnumerable<Option> All => [Concurrency, Hostname, Queues, PrefetchMultiplier, WithoutTaskEvents, TaskEvents, ShutdownTimeout, DataDirectory,
        Telemetry.TelemetrySetup.Exporter];

    /// <summary>
    /// Adds Celeriac with the broker, the SQLite record store and the demo tasks; with <paramref name="runWorker"/> also
    /// the worker. Options come from the configuration (<see cref="CliConfiguration"/>), then from the flags given on
    /// the command line. Returns the builder and the data directory, checked to be usable.
    /// </summary>
    public static (CeleriacBuilder Builder, string DataDirectory) AddCeleriac(IServiceCollection services, ParseResult parse, bool runWorker)
    {
        var configuration = CliConfiguration.Build(parse);
        var brokerUrl = CommonOptions.BrokerUrl(parse, configuration);
        var configuredDatabase = configuration["Sqlite:FilePath"];
        var dataDirectory = DataDirectoryCheck.EnsureUsable(ResolveDataDirectory(parse, configuredDatabase));
        // The database is the configured file only when no flag or variable chose the data folder.
        var database = configuredDatabase is { Length: > 0 } && dataDirectory == Path.GetDirectoryName(Path.GetFullPath(configuredDatabase))
            ? Path.GetFullPath(configuredDatabase)
            : Path.Combine(dataDirectory, Celeriac.Sqlite.SqliteTaskStoreOptions.DefaultFileName);
        services.AddSingleton<Celeriac.Core.Control.IBrokerInfo, Celeriac.RabbitMQ.Connection.RabbitMqBrokerInfo>();
        Telemetry.TelemetrySetup.Add(services, parse, "celeriac");
        var builder = services
            .AddCeleriac(configuration)
            .ConfigureEvents(o =>
            {
                if (CliConfiguration.TryGetExplicit(parse, WithoutTaskEvents, out var without))
                {
                    o.SendTaskEvents = !without;
                }
            })
            .AddDemoTasks()
            .UseRabbitMq(o => o.Url = brokerUrl)
            .UseSqliteStore(o => o.FilePath = database);
        if (runWorker)
        {
            builder
                .AddWorker(o =>
                {
                    // Flags given win; the rest comes from the configuration or the options' own defaults.
                    if (CliConfiguration.TryGetExplicit(parse, Concurrency, out var concurrency))
                    {
                        o.Concurrency = concurrency;
                    }

                    o.Hostname = ExpandHostname(parse.GetValue(Hostname) ?? o.Hostname);

                    if (CliConfiguration.TryGetExplicit(parse, Queues, out var queues))
                    {
                        o.Queues = queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    }

                    if (CliConfiguration.TryGetExplicit(parse, PrefetchMultiplier, out var prefetch))
                    {
                        o.PrefetchMultiplier = prefetch;
                    }

                    if (CliConfiguration.TryGetExplicit(parse, ShutdownTimeout, out var seconds))
                    {
                        o.ShutdownTimeout = TimeSpan.FromSeconds(seconds);
                    }

                    o.StateDirectory = dataDirectory;
                })
                .AddQueueConsumer();
        }

        // The host must outwait the worker's own grace period, plus time to settle and say goodbye.
        services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<Celeriac.Core.Execution.WorkerOptions>>(
            (o, worker) => o.ShutdownTimeout = worker.Value.ShutdownTimeout + TimeSpan.FromSeconds(15));
        return (builder, dataDirectory);
    }

    private static string ResolveDataDirectory(ParseResult parse, string? configuredDatabase)
    {
        if (parse.GetValue(DataDirectory) is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }

        if (Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        if (configuredDatabase is { Length: > 0 })
        {
            return Path.GetDirectoryName(Path.GetFullPath(configuredDatabase))!;
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "celeriac");
    }

    private static string ExpandHostname(string hostname) =>
        hostname.Replace("%h", Environment.MachineName, StringComparison.Ordinal)
            .Replace("%n", Environment.MachineName.Split('.')[0], StringComparison.Ordinal);
}
