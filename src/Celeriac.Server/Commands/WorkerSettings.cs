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

    public static IEnumerable<Option> All => [Concurrency, Hostname, Queues, PrefetchMultiplier, WithoutTaskEvents, TaskEvents, ShutdownTimeout, DataDirectory];

    /// <summary>
    /// Adds Celeriac with the broker, the SQLite record store and the demo tasks; with <paramref name="runWorker"/> also
    /// the worker. Returns the builder and the data directory, checked to be usable.
    /// </summary>
    public static (CeleriacBuilder Builder, string DataDirectory) AddCeleriac(IServiceCollection services, ParseResult parse, bool runWorker)
    {
        var brokerUrl = CommonOptions.BrokerUrl(parse);
        var dataDirectory = DataDirectoryCheck.EnsureUsable(ResolveDataDirectory(parse));
        var shutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(ShutdownTimeout));
        // The host must outwait the worker's own grace period, plus time to settle and say goodbye.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout + TimeSpan.FromSeconds(15));
        services.AddSingleton<Celeriac.Core.Control.IBrokerInfo, Celeriac.RabbitMQ.Connection.RabbitMqBrokerInfo>();
        var builder = services
            .AddCeleriac()
            .ConfigureEvents(o => o.SendTaskEvents = !parse.GetValue(WithoutTaskEvents))
            .AddDemoTasks()
            .UseRabbitMq(o => o.Url = brokerUrl)
            .UseSqliteStore(o => o.FilePath = Path.Combine(dataDirectory, Celeriac.Sqlite.SqliteTaskStoreOptions.DefaultFileName));
        if (runWorker)
        {
            builder
                .AddWorker(o =>
                {
                    o.Concurrency = parse.GetValue(Concurrency);
                    o.Hostname = ExpandHostname(parse.GetValue(Hostname) ?? "celeriac@%h");
                    o.Queues = parse.GetValue(Queues)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    o.PrefetchMultiplier = parse.GetValue(PrefetchMultiplier);
                    o.ShutdownTimeout = shutdownTimeout;
                    o.StateDirectory = dataDirectory;
                })
                .AddQueueConsumer();
        }

        return (builder, dataDirectory);
    }

    private static string ResolveDataDirectory(ParseResult parse)
    {
        if (parse.GetValue(DataDirectory) is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }

        if (Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "celeriac");
    }

    private static string ExpandHostname(string hostname) =>
        hostname.Replace("%h", Environment.MachineName, StringComparison.Ordinal)
            .Replace("%n", Environment.MachineName.Split('.')[0], StringComparison.Ordinal);
}
