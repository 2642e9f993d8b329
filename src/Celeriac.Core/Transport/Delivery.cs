namespace Celeriac.Core.Transport;

/// <summary>A message the broker delivered, with a handle to settle it.</summary>
public sealed record Delivery
{
    /// <summary>The message.</summary>
    public required TransportMessage Message { get; init; }

    /// <summary>Settles the delivery with the broker.</summary>
    public required IDeliveryHandle Handle { get; init; }

    /// <summary>The queue the message was consumed from.</summary>
    public required string Queue { get; init; }

    /// <summary>The exchange the message was published to.</summary>
    public string Exchange { get; init; } = "";

    /// <summary>The routing key the message was published with.</summary>
    public string RoutingKey { get; init; } = "";

    /// <summary>True when the broker delivered this message before and it was not acknowledged.</summary>
    public bool Redelivered { get; init; }
}
