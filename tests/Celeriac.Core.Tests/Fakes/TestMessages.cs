using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Builds task and control messages for tests.</summary>
public static class TestMessages
{
    /// <summary>A detached JSON value.</summary>
    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>A task message with a fresh id that wants its result on <see cref="TestWorker.ReplyTo"/>.</summary>
    public static TaskMessage NewTask(string name, string args = "[]", string kwargs = "{}") => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = name,
        Args = Json(args),
        Kwargs = Json(kwargs),
        ReplyTo = TestWorker.ReplyTo,
        Origin = "gen1@test",
    };

    /// <summary>The message encoded for the wire.</summary>
    public static TransportMessage Encode(this TaskMessage message) => TaskMessageCodec.Encode(message);

    /// <summary>A JSON message with the given body and headers.</summary>
    public static TransportMessage Raw(string body, IReadOnlyDictionary<string, object?>? headers = null, string? contentType = "application/json") => new()
    {
        Body = System.Text.Encoding.UTF8.GetBytes(body),
        ContentType = contentType,
        ContentEncoding = "utf-8",
        Headers = headers ?? TransportMessage.EmptyHeaders,
    };

    /// <summary>
    /// A pidbox command as <c>app.control</c> sends it; with a ticket it asks for a reply to
    /// <c>reply.celery.pidbox</c> with routing key <paramref name="replyKey"/>.
    /// </summary>
    public static TransportMessage ControlCommand(string method, object? arguments = null, string? ticket = "ticket-1", string replyKey = "client-oid",
        string[]? destination = null, string? pattern = null, string? matcher = null, double expires = 0, int clock = 1)
    {
        var body = new Dictionary<string, object?>
        {
            ["method"] = method,
            ["arguments"] = arguments ?? new Dictionary<string, object?>(),
            ["destination"] = destination,
            ["pattern"] = pattern,
            ["matcher"] = matcher,
        };
        if (ticket is not null)
        {
            body["ticket"] = ticket;
            body["reply_to"] = new Dictionary<string, string> { ["exchange"] = "reply.celery.pidbox", ["routing_key"] = replyKey };
        }

        return new TransportMessage
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(body),
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Headers = new Dictionary<string, object?> { ["clock"] = clock, ["expires"] = expires },
        };
    }
}
