using System.Globalization;
using System.Text.Json;
using Celeriac.Functions.TestHost;

// ./run.sh functions: the Functions app under the test host, for anyone without Core Tools.
//   Celeriac.Functions.TestHost --app DIR [--port 7071]
// App settings come from DIR/local.settings.json's Values; an environment variable of the same name wins, and
// CELERIAC_BROKER_URL (as for the other commands) sets RabbitMQConnection.
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

await using var host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
{
    AppDirectory = Path.GetFullPath(app),
    AppDll = Path.Combine(Path.GetFullPath(app), "Celeriac.Functions.dll"),
    AppSettings = settings,
    HttpPort = port,
    Log = Console.WriteLine,
}, stop.Token);
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

    foreach (var name in new[] { "CELERIAC_DEMO_ADD_SLEEP" })
    {
        if (Environment.GetEnvironmentVariable(name) is { } value)
        {
            settings[name] = value;
        }
    }

    return settings;
}
