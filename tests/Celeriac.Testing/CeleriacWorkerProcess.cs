namespace Celeriac.Testing;

/// <summary>Starts the real <c>celeriac worker</c> command line against a test vhost.</summary>
public static class CeleriacWorkerProcess
{
    /// <summary>
    /// Starts <c>celeriac worker</c> and waits until it is ready. Each worker gets its own node name and state
    /// directory unless given.
    /// </summary>
    public static async Task<ManagedProcess> StartAsync(RabbitMqVirtualHost vhost, Action<string>? log = null, int concurrency = 1,
        string? hostname = null, string? stateDirectory = null, IEnumerable<string>? extraArguments = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(vhost);
        hostname ??= $"celeriac-{Guid.NewGuid().ToString("N")[..6]}@%h";
        stateDirectory ??= Directory.CreateTempSubdirectory("celeriac-state-").FullName;
        var arguments = new List<string>
        {
            TestEnvironment.CeleriacDll, "worker", "--broker", vhost.AmqpUrl, "--concurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--hostname", hostname, "--state-dir", stateDirectory, "--loglevel", "info",
        };
        arguments.AddRange(extraArguments ?? []);
        var process = ManagedProcess.Start("dotnet", arguments, environment, log: log, label: "celeriac");
        await process.WaitForLineAsync(" ready.", TimeSpan.FromSeconds(30));
        return process;
    }
}
