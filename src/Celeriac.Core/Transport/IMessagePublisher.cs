namespace Celeriac.Core.Transport;

/// <summary>Publishes messages to the broker.</summary>
public interface IMessagePublisher
{
    /// <summary>
    /// Publishes a message. When <see cref="OutgoingMessage.RequiresConfirmation"/> is set, returns only
    /// after the broker confirmed it and throws when the broker refused it.
    /// </summary>
    ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
