using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.DurableTask.Testing;

/// <summary>
/// The REAL Durable Task extension (Microsoft.Azure.WebJobs.Extensions.DurableTask 3.19.0 with its Azure Storage
/// provider) running in a plain WebJobs host on Azurite, in isolated-worker mode (<c>FUNCTIONS_WORKER_RUNTIME=dotnet-isolated</c>),
/// so it serves its local gRPC listener exactly as under the Functions host. Signals, entity state, ordering, batching
/// and queries are the extension's own. What is emulated: the Functions host around it (this host loads the extension
/// and triggers <see cref="DurableFunctions"/> instead of the app's functions), see <see cref="DurableFunctions"/>.
/// </summary>
public sealed class DurableExtensionHost : IAsyncDisposable
{
    /// <summary>The WebJobs function that captures the <c>[DurableClient]</c> payload.</summary>
    public const string ClientFunctionName = "CeleriacDurableClient";

    private readonly IHost _host;
    private readonly GrpcChannel _channel;
    private readonly GrpcDurableTaskClient _client;

    private DurableExtensionHost(IHost host, string hubName, string clientPayload, Uri grpcAddress, GrpcChannel channel, GrpcDurableTaskClient client)
    {
        _host = host;
        HubName = hubName;
        DurableClientPayload = clientPayload;
        GrpcAddress = grpcAddress;
        _channel = channel;
        _client = client;
        Clients = new SingleClientProvider(client);
    }

    /// <summary>The task hub.</summary>
    public string HubName { get; }

    /// <summary>
    /// The JSON a Functions worker's <c>[DurableClient]</c> input receives from this extension (<c>rpcBaseUrl</c>,
    /// <c>taskHubName</c>, <c>maxGrpcMessageSizeInBytes</c>, ...), for a harness that feeds it to the real worker.
    /// </summary>
    public string DurableClientPayload { get; }

    /// <summary>The extension's local gRPC listener (<c>rpcBaseUrl</c>).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>A client with entity support over the listener, as the <c>[DurableClient]</c> binding creates.</summary>
    public DurableTaskClient Client => _client;

    /// <summary><see cref="Client"/> for every name, for <see cref="DurableTaskStore"/>.</summary>
    public IDurableTaskClientProvider Clients { get; }

    /// <summary>A new random hub name (letters and digits, starting with a letter).</summary>
    public static string NewHubName() => "celeriac" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();

    /// <summary>Starts the extension and returns once its gRPC listener answers through a client.</summary>
    public static async Task<DurableExtensionHost> StartAsync(DurableExtensionHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggers = options.Logs is null ? (ILoggerFactory)NullLoggerFactory.Instance : new LoggerFactory([options.Logs]);
        var state = new DurableHostState(options.EntityBatchHandler ?? ((batch, _) => EntityBatches.RunInProcessAsync(batch, loggers)), options.DashboardWorkerBatchHandler);
        var host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (options.Logs is not null)
                {
                    logging.AddProvider(options.Logs);
                }

                logging.SetMinimumLevel(options.MinimumLevel);
            })
            .ConfigureWebJobs(webJobs => webJobs.AddDurableTask(durable =>
            {
                durable.HubName = options.HubName;
                // An idle queue is polled ever less often, up to every 30 s by default: far too slow for tests
                // that wait for a signal to land after a pause.
                durable.StorageProvider["maxQueuePollingInterval"] = options.MaxQueuePollingInterval.ToString("c", CultureInfo.InvariantCulture);
            }))
            // After ConfigureWebJobs, which adds the environment variables: these settings win over them.
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = options.StorageConnectionString,
                // Isolated-worker mode: the extension serves gRPC and expects base64 entity batches back.
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
                // A container runtime may set CONTAINER_NAME, which the extension takes for Linux Consumption: it then
                // writes every storage event to stdout and applies that plan's defaults. This host is no such plan.
                ["CONTAINER_NAME"] = "",
            }))
            .ConfigureServices(services =>
            {
                services.AddSingleton(state);
                services.AddSingleton<ITypeLocator, DurableFunctionsTypeLocator>();
                services.AddSingleton<IJobActivator, DurableFunctionsActivator>();
#pragma warning disable CS0618 // IWebHookProvider is marked "not ready for public consumption"; the extension needs one.
                services.AddSingleton<IWebHookProvider, LoopbackWebHookProvider>();
#pragma warning restore CS0618
            })
            .Build();

        GrpcChannel? channel = null;
        try
        {
            await host.StartAsync(cancellationToken);
            await host.Services.GetRequiredService<IJobHost>().CallAsync(ClientFunctionName, arguments: null, cancellationToken);
            var payload = await state.ClientPayload.Task.WaitAsync(cancellationToken);
            using var json = JsonDocument.Parse(payload);
            var address = new Uri(json.RootElement.GetProperty("rpcBaseUrl").GetString()
                ?? throw new InvalidOperationException($"The [DurableClient] payload has no rpcBaseUrl: {payload}"));
            channel = GrpcChannel.ForAddress(address);
            var client = new GrpcDurableTaskClient("celeriac-test",
                new GrpcDurableTaskClientOptions { Channel = channel, EnableEntitySupport = true },
                loggers.CreateLogger<GrpcDurableTaskClient>());
            return new DurableExtensionHost(host, options.HubName, payload, address, channel, client);
        }
        catch
        {
            channel?.Dispose();
            try
            {
                await StopAsync(host);
            }
            catch (InvalidOperationException)
            {
                // It never started: the error that stopped it is the one to report.
            }

            throw;
        }
    }

    /// <summary>Stops the extension and closes the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _channel.Dispose();
        await StopAsync(_host);
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
        }
    }

    private sealed class SingleClientProvider(DurableTaskClient client) : IDurableTaskClientProvider
    {
        public DurableTaskClient GetClient(string? name = null) => client;
    }
}
