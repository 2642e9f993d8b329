using Celeriac.DurableTask.Testing;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// The Functions app as a whole, without Core Tools: the real Durable extension (in a WebJobs host, on Azurite) and
/// the test host running the real worker, wired to each other as the Functions host wires them: the extension's entity
/// batches go to the app's entity function, and every <c>[DurableClient]</c> binding gets the extension's payload.
/// </summary>
public sealed class FunctionsStack : IAsyncDisposable
{
    private FunctionsStack(DurableExtensionHost durable, FunctionsTestHost functions)
    {
        Durable = durable;
        Functions = functions;
    }

    /// <summary>The Durable extension.</summary>
    public DurableExtensionHost Durable { get; }

    /// <summary>The test host with the worker.</summary>
    public FunctionsTestHost Functions { get; }

    /// <summary>Starts the extension, then the worker under the test host.</summary>
    /// <param name="functions">The test host's options; the Durable payload is the extension's unless they name one.</param>
    /// <param name="storageConnectionString">Azurite's connection string (the app's AzureWebJobsStorage).</param>
    /// <param name="hubName">The task hub (host.json's <c>extensions.durableTask.hubName</c> for the real host).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<FunctionsStack> StartAsync(FunctionsTestHostOptions functions, string storageConnectionString, string hubName,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(functions);
        // The extension starts first (the worker's functions need its payload) and may dispatch a batch before the
        // worker has loaded the entity function: such a batch waits for it.
        var worker = new TaskCompletionSource<FunctionsTestHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        var durable = await DurableExtensionHost.StartAsync(new DurableExtensionHostOptions
        {
            StorageConnectionString = storageConnectionString,
            HubName = hubName,
            EntityBatchHandler = async (batch, ct) => await (await worker.Task.WaitAsync(ct)).RunEntityBatchAsync(Celeriac.DurableTask.TaskRecordEntity.EntityName, batch, ct),
            DashboardWorkerBatchHandler = async (batch, ct) => await (await worker.Task.WaitAsync(ct)).RunEntityBatchAsync(DurableFunctions.DashboardWorkerEntityName, batch, ct),
            Logs = new ActionLoggerProvider(functions.Log),
        }, cancellationToken);
        try
        {
            var host = await FunctionsTestHost.StartAsync(new FunctionsTestHostOptions
            {
                AppDirectory = functions.AppDirectory,
                AppDll = functions.AppDll,
                AppSettings = new Dictionary<string, string>(functions.AppSettings) { ["AzureWebJobsStorage"] = storageConnectionString },
                HttpPort = functions.HttpPort,
                // A caller's own payload (a test pointing some bindings elsewhere) wins over the extension's.
                DurableClientPayload = functions.DurableClientPayload ?? (() => durable.DurableClientPayload),
                RunRabbitMqListeners = functions.RunRabbitMqListeners,
                Log = functions.Log,
            }, cancellationToken);
            worker.SetResult(host);
            return new FunctionsStack(durable, host);
        }
        catch (Exception ex)
        {
            worker.TrySetException(ex);
            await durable.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Functions.DisposeAsync();
        await Durable.DisposeAsync();
    }
}
