using Celeriac.Core.Execution;
using Celeriac.Functions.Records;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Celeriac.Functions.Execution;

/// <summary>
/// Runs the tasks queued on <c>celery</c>: each trigger delivery goes to the worker lifecycle the standalone worker's
/// consumer hands its deliveries to (tracked in flight for the warm shutdown, then the same task processor).
/// </summary>
internal sealed class ExecuteTaskFunction(WorkerLifecycle worker, BoundDurableClients clients)
{
    /// <summary>The queue, as Celery's default.</summary>
    public const string Queue = "celery";

    /// <summary>The app setting with the broker's AMQP URI (shared with the client side of the app).</summary>
    public const string ConnectionSetting = "RabbitMQConnection";

    /// <summary>
    /// A task's own failure (an exception, a time limit, a revoke) is a recorded outcome and a normal return, which
    /// the listener acks. Only an outcome that could not be recorded, or a host shutdown, throws, so the listener's
    /// republish-up-to-5 retry runs the task again; a copy whose task has a final record is not run again (its result is sent again). A task due
    /// later is deferred through the broker and acknowledged, so an invocation never waits for an ETA.
    /// </summary>
    [Function("ExecuteTask")]
    public async Task Run([RabbitMQTrigger(Queue, ConnectionStringSetting = ConnectionSetting)] byte[] body,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        clients.Use(client);
        var settlement = new TriggerSettlement();
        var delivery = TriggerMessage.ToDelivery(body, context.BindingContext.BindingData, Queue, settlement);
        await worker.ProcessAsync(delivery);
        if (settlement.Kind != TriggerSettlementKind.Acked)
        {
            throw new TaskRequeuedException(delivery.Message.CorrelationId, settlement.Kind);
        }
    }
}
