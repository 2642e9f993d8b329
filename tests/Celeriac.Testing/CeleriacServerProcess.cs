using System.Globalization;

namespace Celeriac.Testing;

/// <summary>
/// The real <c>celeriac serve</c> command line (the HTTP API, with an embedded worker unless told otherwise) on a free
/// loopback port, against a test vhost and a data folder the test owns. Killed on dispose if still running.
/// </summary>
public sealed class CeleriacServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private CeleriacServerProcess(ManagedProcess process, Uri baseAddress)
    {
        Process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>The server process and its output.</summary>
    public ManagedProcess Process { get; }

    /// <summary>Where the API listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts <c>celeriac serve --broker VHOST --urls http://127.0.0.1:PORT --data-dir DIR --concurrency N</c> and waits
    /// until the API listens (and, with the worker, until the worker is ready). <paramref name="command"/> is the
    /// subcommand (<c>serve</c>; none runs the root command, which serves too).
    /// </summary>
    public static async Task<CeleriacServerProcess> StartAsync(RabbitMqVirtualHost vhost, string dataDirectory, Action<string>? log = null,
        bool worker = true, int concurrency = 1, IEnumerable<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null,
        string? command = "serve")
    {
        ArgumentNullException.ThrowIfNull(vhost);
        var extra = extraArguments?.ToArray() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var baseAddress = new Uri($"http://127.0.0.1:{FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)}/");
            var arguments = new List<string> { TestEnvironment.CeleriacDll };
            if (command is not null)
            {
                arguments.Add(command);
            }

            arguments.AddRange(["--broker", vhost.AmqpUrl, "--urls", baseAddress.ToString().TrimEnd('/'), "--data-dir", dataDirectory,
                "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--loglevel", "info"]);
            if (!worker)
            {
                arguments.Add("--no-worker");
            }

            arguments.AddRange(extra);
            var process = ManagedProcess.Start("dotnet", arguments, environment, log: log, label: "celeriac-serve");
            try
            {
                await process.WaitForLineAsync($"Now listening on: {baseAddress.ToString().TrimEnd('/')}", s_startTimeout);
                if (worker)
                {
                    await process.WaitForLineAsync(" ready.", s_startTimeout);
                }

                return new CeleriacServerProcess(process, baseAddress);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // Someone took the port between FreeTcpPort and the bind: try another.
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>An HTTP client for the API (the base address set, no default headers).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Stops the server as a service manager would (SIGTERM: a warm shutdown) and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        Process.Signal(15);
        return await Process.WaitForExitAsync(timeout);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
