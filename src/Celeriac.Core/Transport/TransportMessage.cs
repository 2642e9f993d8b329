namespace Celeriac.Core.Transport;

/// <summary>
/// An AMQP message in transport-neutral form: the body plus the basic properties Celery uses.
/// </summary>
/// <remarks>
/// Header values use a small neutral model so that every transport (RabbitMQ.Client, the Functions
/// trigger's JSON) maps to the same thing: <see cref="string"/>, <see cref="int"/> or <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see langword="null"/> (AMQP void),
/// <see cref="IReadOnlyList{T}"/> of values, <see cref="IReadOnlyDictionary{TKey, TValue}"/> of values,
/// <see cref="DateTimeOffset"/> and <see cref="decimal"/>. Strings are always text, never bytes:
/// Python receives a byte array header as <c>bytes</c>, not <c>str</c>.
/// </remarks>
public sealed record TransportMessage
{
    /// <summary>The raw body.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The MIME type of the body; Celery uses <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The character encoding of the body; Celery uses <c>utf-8</c>.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>The correlation id; for task messages and their results, the task id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The queue that results go to (rpc:// backend); empty or null means none.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>1 = transient, 2 = persistent.</summary>
    public byte DeliveryMode { get; init; } = DeliveryModes.Persistent;

    /// <summary>The message priority; Celery always sends 0 unless priorities are configured.</summary>
    public byte Priority { get; init; }

    /// <summary>Per-message TTL in milliseconds, as a string (AMQP <c>expiration</c>).</summary>
    public string? Expiration { get; init; }

    /// <summary>Application headers (AMQP field table) in the neutral value model.</summary>
    public IReadOnlyDictionary<string, object?> Headers { get; init; } = EmptyHeaders;

    /// <summary>An empty header table.</summary>
    public static IReadOnlyDictionary<string, object?> EmptyHeaders { get; } = new Dictionary<string, object?>();
}

/// <summary>AMQP delivery modes.</summary>
public static class DeliveryModes
{
    /// <summary>Not written to disk by the broker.</summary>
    public const byte Transient = 1;

    /// <summary>Written to disk by the broker when the queue is durable.</summary>
    public const byte Persistent = 2;
}
