using Celeriac.DurableTask;
using Microsoft.Azure.Functions.Worker;

namespace Celeriac.Functions.Records;

/// <summary>The Durable Entity per task record: the extension's batches go to <see cref="TaskRecordEntity"/>.</summary>
internal static class TaskRecordEntityFunction
{
    [Function(TaskRecordEntity.EntityName)]
    public static Task Run([EntityTrigger] TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher.DispatchAsync<TaskRecordEntity>();
    }
}
