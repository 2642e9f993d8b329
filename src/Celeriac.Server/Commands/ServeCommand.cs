using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Server.Commands;

/// <summary>
/// <c>celeriac serve</c> (and <c>celeriac</c> alone): the HTTP API on <c>http://127.0.0.1:7071</c>, the port
/// <c>func start</c> uses, with the same routes as the Functions app, plus an embedded worker.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The environment variable with comma-separated API keys.</summary>
    public const string ApiKeysVariable = "CELERIAC_API_KEYS";

    private static readonly Option<string> s_urls = new("--urls")
    {
        Description = "Where the API listens (semicolon-separated). Loopback unless told otherwise.",
        DefaultValueFactory = _ => "http://127.0.0.1:7071",
    };

    private static readonly Option<bool> s_noWorker = new("--no-worker") { Description = "Run the API alone; workers run elsewhere." };

    private static readonly Option<string[]> s_apiKeys = new("--api-key")
    {
        Description = $"An API key every request must send (x-functions-key header or bearer token); repeatable. Also ${ApiKeysVariable} (comma-separated).",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string[]> s_tasks = new("--task")
    {
        Description = "A task the API accepts although no task of this process defines it (a worker elsewhere runs it): a name or a pattern such as shop.*; repeatable. Tasks the workers register are accepted too.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the HTTP API with an embedded worker (the default command).") { s_urls, s_noWorker, s_apiKeys, s_tasks };
        foreach (var option in WorkerSettings.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>Runs the server; also the root command's action.</summary>
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var runWorker = !parse.GetValue(s_noWorker);
        var urls = parse.GetValue(s_urls)!;
        var apiKeys = ApiKeys(parse);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls);
        var logLevel = CommonOptions.ParseLogLevel(parse.GetValue(CommonOptions.LogLevel)!);
        builder.Logging.UseCeleryConsole(logLevel);
        // "Now listening on: http://127.0.0.1:7071": without it the server never says where (or whether) the API
        // listens, and with --no-worker it prints nothing at all once it is ready.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", logLevel);
        builder.Logging.HideHostFailures();
        var (celeriac, dataDirectory) = WorkerSettings.AddCeleriac(builder.Services, parse, runWorker);
        celeriac.AddHttpApi(o =>
        {
            foreach (var key in apiKeys)
            {
                o.ApiKeys.Add(key);
            }

            foreach (var task in parse.GetValue(s_tasks) ?? [])
            {
                o.Tasks.Add(task);
            }
        });
        builder.Services.AddCeleriacDashboard();

        await using var app = builder.Build();
        app.UseStatusCodePages();
        app.UseCors();
        app.MapCeleriacApi();
        app.MapCeleriacDashboard();
        app.MapOpenApi();
        StartupBanner.Write(Console.Out, app.Services, runWorker ? "server with an embedded worker" : "server", dataDirectory, urls, apiKeys.Length > 0);
        var backgroundServices = CliFailure.BackgroundServicesOf(app.Services);
        try
        {
            // The host owns Ctrl-C and SIGTERM (a warm shutdown); the command line parser is told not to.
            await app.RunAsync();
        }
        catch (Exception ex) when (CliFailure.Describe(ex) is not null)
        {
            return CliFailure.Report(ex);
        }

        return CliFailure.ExitCodeOf(backgroundServices);
    }

    private static string[] ApiKeys(ParseResult parse) =>
        (parse.GetValue(s_apiKeys) ?? [])
            .Concat((Environment.GetEnvironmentVariable(ApiKeysVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
}
