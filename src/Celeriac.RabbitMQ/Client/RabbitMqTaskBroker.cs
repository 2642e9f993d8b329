using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Client;

/// <summary>
/// Sends tasks without an rpc:// reply queue (their worker writes the task record), or with one for a worker that writes
/// no records (their result is recorded as it comes back), and broadcasts revokes,
/// for the HTTP API. While the broker is away both fail at once with <see cref="BrokerUnavailableException"/>.
/// </summary>
internal sealed class RabbitMqTaskBroker(CeleryClient client, RpcResultRecorder recorder) : ITaskBroker
{
    public async ValueTask SendTaskAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await client.SendAsync(message with { ReplyTo = null }, queue, withReplyQueue: false, cancellationToken);
        }
        catch (Exception ex) when (IsBrokerAway(ex))
        {
            throw new BrokerUnavailableException($"The broker is unavailable: {ex.GetBaseException().Message}", ex);
        }
    }

    public async ValueTask SendRecordingResultAsync(TaskMessage message, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Expected before the publish: a fast worker's result may come back before the confirm does.
        recorder.Expect(message.Id);
        try
        {
            await client.SendAsync(message, queue, withReplyQueue: true, cancellationToken);
        }
        catch (Exception ex) when (IsBrokerAway(ex))
        {
            throw new BrokerUnavailableException($"The broker is unavailable: {ex.GetBaseException().Message}", ex);
        }
    }

    public async ValueTask BroadcastRevokeAsync(string taskId, bool terminate, CancellationToken cancellationToken)
    {
        try
        {
            await client.Control.RevokeAsync(taskId, terminate, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (IsBrokerAway(ex))
        {
            throw new BrokerUnavailableException($"The broker is unavailable: {ex.GetBaseException().Message}", ex);
        }
    }

    // A closed connection or channel (the broker stopped, the socket dropped), an unreachable broker, or a publish
    // whose confirm never came because the channel closed under it: the client library is reconnecting.
    private static bool IsBrokerAway(Exception ex) => ex is AlreadyClosedException or BrokerUnreachableException or IOException;
}
