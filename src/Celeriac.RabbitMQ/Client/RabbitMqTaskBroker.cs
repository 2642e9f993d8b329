using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// Sends tasks without an rpc:// reply queue (their outcome goes to the task record) and broadcasts revokes,
/// for the HTTP API.
/// </summary>
internal sealed class RabbitMqTaskBroker(CeleryClient client) : ITaskBroker
{
    public async ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await client.SendAsync(message with { ReplyTo = null }, queue, withReplyQueue: false, cancellationToken);
    }

    public async ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken) =>
        await client.Control.RevokeAsync(taskId, terminate, cancellationToken: cancellationToken);
}
