using System.CommandLine;
using Celeriac.Core.Beat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Server.Commands;

/// <summary>
/// <c>celeriac beat --schedule beat.json</c>: sends periodic tasks, like <c>celery beat</c>. Any number may run against
/// the same data folder: one sends each tick, the others take over when it stops.
/// </summary>
internal static class BeatCommand
{
    private static readonly Option<string?> s_schedule = new("--schedule", "-s")
    {
        Description = "A JSON file with the schedule: {\"Schedule\": {\"name\": {\"Task\": \"tasks.add\", \"Every\": \"00:00:10\", \"Args\": \"[2, 3]\"}}}; " +
            "an entry has Every or Cron (with TimeZone), and may have Kwargs, Queue, ExpiresAfter.",
    };

    private static readonly Option<string?> s_dataDirectory = new("--data-dir")
    {
        Description = $"Where the lease shared by beat processes is kept (tasks.db, as the worker's records). Default: ${WorkerSettings.DataDirectoryVariable} or ~/.local/share/celeriac.",
    };

    private static readonly Option<double?> s_leaseDuration = new("--lease-duration")
    {
        Description = "Seconds the lease lasts unless renewed; another beat takes over this long after its holder dies. Default 15.",
    };

    private static readonly Option<MissedTickPolicy?> s_missed = new("--missed")
    {
        Description = "Ticks missed while no beat ran: RunOnce (send once, now; Celery beat's way, the default) or Skip.",
    };

    public static Command Create()
    {
        var command = new Command("beat", "Send periodic tasks when they are due (Celery's beat); several may run, one sends.")
        {
            s_schedule, s_dataDirectory, s_leaseDuration, s_missed,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.UseCeleryConsole(CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!));
        var brokerUrl = CommonOptions.NormalizeBrokerUrl(parse.GetValue(CommonOptions.Broker)!);
        var leaseFile = Path.Combine(ResolveDataDirectory(parse), Celeriac.Sqlite.SqliteTaskStoreOptions.DefaultFileName);
        if (parse.GetValue(s_schedule) is { Length: > 0 } scheduleFile)
        {
            var path = Path.GetFullPath(scheduleFile);
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"The schedule file {path} does not exist.");
                return 2;
            }

            builder.Services.Configure<BeatOptions>(new ConfigurationBuilder().AddJsonFile(path, optional: false).Build());
        }

        builder.Services.AddCeleriac()
            .UseRabbitMq(o => o.Url = brokerUrl)
            .UseSqliteSchedulerLease(o => o.FilePath = leaseFile)
            .AddBeat(o =>
            {
                if (parse.GetValue(s_leaseDuration) is { } seconds)
                {
                    o.LeaseDuration = TimeSpan.FromSeconds(seconds);
                }

                if (parse.GetValue(s_missed) is { } missed)
                {
                    o.MissedTicks = missed;
                }
            });

        using var host = builder.Build();
        // The host owns Ctrl-C and SIGTERM: a stopping beat releases its lease so another takes over at once.
        await host.RunAsync(CancellationToken.None);
        return 0;
    }

    private static string ResolveDataDirectory(ParseResult parse)
    {
        if (parse.GetValue(s_dataDirectory) is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }

        return Environment.GetEnvironmentVariable(WorkerSettings.DataDirectoryVariable) is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "celeriac");
    }
}
