using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.Extensions.Logging;

namespace Celeriac.DurableTask.Testing;

/// <summary>Runs entity batches the way the isolated worker's <c>TaskEntityDispatcher</c> does.</summary>
public static class EntityBatches
{
    /// <summary>
    /// Runs a base64 <c>EntityBatchRequest</c> through <see cref="GrpcEntityRunner"/> with a fresh
    /// <see cref="TaskRecordEntity"/> and returns the base64 <c>EntityBatchResult</c>: exactly the call
    /// <c>TaskEntityDispatcher.DispatchAsync&lt;TaskRecordEntity&gt;()</c> makes in a Functions app.
    /// </summary>
    public static Task<string> RunInProcessAsync(string base64Batch, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        return GrpcEntityRunner.LoadAndRunAsync(base64Batch, new TaskRecordEntity(loggers.CreateLogger<TaskRecordEntity>()));
    }
}
