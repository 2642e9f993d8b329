using System.CommandLine;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Server.Commands;

/// <summary><c>celeriac worker</c>: runs a worker with the demo tasks, like <c>celery -A tasks worker</c>.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Run a worker that executes tasks from the broker and records them.");
        foreach (var option in WorkerSettings.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.UseCeleryConsole(CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!));
        builder.Logging.HideHostFailures();
        var dataDirectory = WorkerSettings.AddCeleriac(builder.Services, parse, runWorker: true).DataDirectory;

        var host = builder.Build();
        StartupBanner.Write(Console.Out, host.Services, "worker", dataDirectory, httpUrls: null, apiKeys: false);
        var backgroundServices = CliFailure.BackgroundServicesOf(host.Services);
        try
        {
            // The host owns Ctrl-C and SIGTERM (a warm shutdown); the command line parser is told not to.
            // RunAsync disposes the host, asynchronously, as the record store requires.
            await host.RunAsync(CancellationToken.None);
        }
        catch (Exception ex) when (CliFailure.Describe(ex) is not null)
        {
            return CliFailure.Report(ex);
        }

        return CliFailure.ExitCodeOf(backgroundServices);
    }
}
