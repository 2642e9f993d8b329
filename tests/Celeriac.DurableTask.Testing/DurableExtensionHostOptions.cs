using Microsoft.Extensions.Logging;

namespace Celeriac.DurableTask.Testing;

/// <summary>How to start a <see cref="DurableExtensionHost"/>.</summary>
public sealed class DurableExtensionHostOptions
{
    /// <summary>The storage connection string (Azurite's, from <see cref="AzuriteEnvironment.ConnectionString"/>).</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>The task hub: letters and digits, starting with a letter, 3 to 45 characters. Default: a new random one.</summary>
    public string HubName { get; init; } = DurableExtensionHost.NewHubName();

    /// <summary>
    /// Runs one entity batch of <see cref="TaskRecordEntity.EntityName"/>: a base64 <c>EntityBatchRequest</c> in, a base64
    /// <c>EntityBatchResult</c> out, as a Functions worker's <c>TaskEntityDispatcher</c> answers. Default:
    /// <see cref="EntityBatches.RunInProcessAsync"/> (<see cref="TaskRecordEntity"/> in this process). A harness that
    /// runs the real worker process forwards the batch to its entity trigger instead.
    /// </summary>
    public Func<string, CancellationToken, Task<string>>? EntityBatchHandler { get; init; }

    /// <summary>
    /// Runs one entity batch of the Functions app's dashboard worker table (entity <see cref="DurableFunctions.DashboardWorkerEntityName"/>),
    /// as <see cref="EntityBatchHandler"/> does for task records. Default: none (a harness without the app never signals it).
    /// </summary>
    public Func<string, CancellationToken, Task<string>>? DashboardWorkerBatchHandler { get; init; }

    /// <summary>
    /// The longest pause between two polls of an idle queue (the extension's <c>maxQueuePollingInterval</c>): a signal
    /// sent after a quiet spell waits up to this long. Default: 0.5 s (the extension's own default is 30 s).
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Where the host's and the extension's logs go. Default: nowhere.</summary>
    public ILoggerProvider? Logs { get; init; }

    /// <summary>The lowest level logged. Default: Warning.</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Warning;
}
