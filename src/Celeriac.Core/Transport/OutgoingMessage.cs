namespace Celeriac.Core.Transport;

/// <summary>A message to publish, with where it goes.</summary>
/// <param name="Exchange">The exchange; the empty string is the default exchange.</param>
/// <param name="RoutingKey">The routing key; for the default exchange, the queue name.</param>
/// <param name="Message">The message.</param>
/// <param name="RequiresConfirmation">
/// When true the publish completes only after the broker confirmed it. Task messages, results and
/// parked messages need it (nothing may be lost); events and control replies are fire-and-forget,
/// as they are in Celery.
/// </param>
public sealed record OutgoingMessage(string Exchange, string RoutingKey, TransportMessage Message, bool RequiresConfirmation = true);
