using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Execution;

/// <summary>
/// Finds the final record of a redelivered task. A message the broker delivers again whose task already has a final
/// record was run to the end before, and only its acknowledgement was lost (the worker was killed, the channel closed,
/// the Functions listener republished it after an infrastructure failure): it is not run again. Only redeliveries are
/// looked up, so a first delivery costs no read.
/// </summary>
internal sealed class FinishedTaskCheck(ITaskStore? store)
{
    /// <summary>The task's final record, or null when it must run: a first delivery, no store, or no final record yet.</summary>
    public async ValueTask<TaskRecord?> FindAsync(TaskMessage message, Delivery delivery, CancellationToken cancellationToken)
    {
        if (store is null || !delivery.Redelivered)
        {
            return null;
        }

        var record = await store.GetAsync(message.Id, cancellationToken);
        return record is not null && record.State.IsFinal() ? record : null;
    }

    /// <summary>
    /// The result message to send the caller again: the first reply may be what failed, and a caller that got it
    /// already ignores a second one for the same task.
    /// </summary>
    public static TaskResult ResultOf(TaskRecord record) => new()
    {
        TaskId = record.Id,
        State = record.State,
        Value = record.Result ?? CeleryJson.Null,
        Error = record.Error,
        Traceback = record.Traceback,
    };
}
