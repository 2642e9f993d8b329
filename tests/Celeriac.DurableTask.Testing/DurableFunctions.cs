using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.DurableTask;

namespace Celeriac.DurableTask.Testing;

/// <summary>
/// EMULATES THE FUNCTIONS HOST'S INVOCATION: the WebJobs functions the real Durable extension triggers, in place of
/// the functions a Functions host would load from the app's metadata. The entity trigger hands the extension's batch
/// (base64 <c>EntityBatchRequest</c>) to <see cref="DurableExtensionHostOptions.EntityBatchHandler"/> and returns its
/// base64 <c>EntityBatchResult</c>, as the extension's isolated-worker middleware expects; the client function
/// captures the payload a <c>[DurableClient]</c> input gets, which says where the extension's gRPC listener is.
/// Public only because WebJobs indexes public types; not for direct use.
/// </summary>
public sealed class DurableFunctions
{
    private readonly DurableHostState _state;

    internal DurableFunctions(DurableHostState state) => _state = state;

    /// <summary>The entity trigger of <see cref="TaskRecordEntity.EntityName"/>.</summary>
    [FunctionName(TaskRecordEntity.EntityName)]
    public Task<string> RunTaskRecordEntity([EntityTrigger(EntityName = TaskRecordEntity.EntityName)] string batch, CancellationToken cancellationToken) =>
        _state.EntityBatchHandler(batch, cancellationToken);

    /// <summary>The entity name of the Functions app's dashboard worker table (one entity per worker).</summary>
    public const string DashboardWorkerEntityName = "DashboardWorker";

    /// <summary>The entity trigger of <see cref="DashboardWorkerEntityName"/>.</summary>
    [FunctionName(DashboardWorkerEntityName)]
    public Task<string> RunDashboardWorkerEntity([EntityTrigger(EntityName = DashboardWorkerEntityName)] string batch, CancellationToken cancellationToken) =>
        (_state.DashboardWorkerBatchHandler ?? throw new InvalidOperationException($"This host runs no {DashboardWorkerEntityName} entities."))(batch, cancellationToken);

    /// <summary>Called once at start: captures the <c>[DurableClient]</c> payload.</summary>
    [NoAutomaticTrigger]
    [FunctionName(DurableExtensionHost.ClientFunctionName)]
    public void CaptureDurableClient([DurableClient] string client) => _state.ClientPayload.TrySetResult(client);
}

/// <summary>What the functions of one host share.</summary>
internal sealed class DurableHostState(Func<string, CancellationToken, Task<string>> entityBatchHandler,
    Func<string, CancellationToken, Task<string>>? dashboardWorkerBatchHandler = null)
{
    public Func<string, CancellationToken, Task<string>> EntityBatchHandler { get; } = entityBatchHandler;

    public Func<string, CancellationToken, Task<string>>? DashboardWorkerBatchHandler { get; } = dashboardWorkerBatchHandler;

    public TaskCompletionSource<string> ClientPayload { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
