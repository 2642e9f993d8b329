using System.Globalization;
using System.Text.Json;
using Celeriac.Functions.TestHost;

// ./run.sh functions: the Functions app under the test host, for anyone without Core Tools.
//   Celeriac.Functions.TestHost --app DIR [--port 7071]
// App settings come from DIR/local.settings.json's Values; an environment variable of the same name wins, and
// CELERIAC_BROKER_URL (as for the other commands) sets RabbitMQConnection, CELERIAC_STORAGE AzureWebJobsStorage.
// The task hub is host.json's. The real Durable extension runs in this process (a WebJobs host, on that storage).
var app = Argument("--app") ?? throw new ArgumentException("--app DIR (the built Functions app) is required");
var port = int.Parse(Argument("--port") ?? "7071", CultureInfo.InvariantCulture);
var settings = AppSettings(app);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var storage = settings.TryGetValue("AzureWebJobsStorage", out var connection) ? connection : "UseDevelopmentStorage=true";
await using var stack = await FunctionsStack.StartAsync(new FunctionsTestHostOptions
{
    AppDirectory = Path.GetFullPath(app),
    AppDll = Path.Combine(Path.GetFullPath(app), "Celeriac.Functions.dll"),
    AppSettings = settings,
    HttpPort = port,
    Log = Console.WriteLine,
}, storage, HubName(app), stop.Token);
var host = stack.Functions;
Console.WriteLine($"Functions app (under the Celeriac test host, not the real Functions host) on {host.HttpAddress}");
foreach (var function in host.Functions.Values)
{
    Console.WriteLine($"  {function.Name}: {function.TriggerType}");
}

try
{
    await Task.WhenAny(Task.Delay(Timeout.Infinite, stop.Token), host.Worker.WaitForExitAsync(Timeout.InfiniteTimeSpan));
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM.
}

return host.Worker.HasExited ? 1 : 0;

string? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

// host.json's extensions.durableTask.hubName, as the real extension reads it.
static string HubName(string appDirectory)
{
    using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
    return document.RootElement.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("durableTask", out var durable)
        && durable.TryGetProperty("hubName", out var hub) && hub.GetString() is { Length: > 0 } name
            ? name
            : "TestHubName";
}

static Dictionary<string, string> AppSettings(string appDirectory)
{
    var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    var file = Path.Combine(appDirectory, "local.settings.json");
    if (File.Exists(file))
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        if (document.RootElement.TryGetProperty("Values", out var values))
        {
            foreach (var value in values.EnumerateObject())
            {
                settings[value.Name] = Environment.GetEnvironmentVariable(value.Name) ?? value.Value.ToString();
            }
        }
    }

    if (Environment.GetEnvironmentVariable("CELERIAC_BROKER_URL") is { Length: > 0 } broker)
    {
        settings["RabbitMQConnection"] = broker;
    }

    if (Environment.GetEnvironmentVariable("CELERIAC_STORAGE") is { Length: > 0 } storage)
    {
        settings["AzureWebJobsStorage"] = storage;
    }

    foreach (var name in new[] { "CELERIAC_DEMO_ADD_SLEEP" })
    {
        if (Environment.GetEnvironmentVariable(name) is { } value)
        {
            settings[name] = value;
        }
    }

    return settings;
}
