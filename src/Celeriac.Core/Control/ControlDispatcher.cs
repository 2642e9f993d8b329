using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Control;

/// <summary>
/// Handles remote-control (pidbox) commands addressed to this worker and publishes the replies the caller
/// waits for, in the shape Celery's <c>app.control</c> and <c>inspect()</c> expect.
/// </summary>
public sealed class ControlDispatcher
{
    /// <summary>The fanout exchange commands are broadcast on.</summary>
    public const string Exchange = "celery.pidbox";

    /// <summary>The direct exchange replies go to.</summary>
    public const string ReplyExchange = "reply.celery.pidbox";

    private readonly WorkerControlCommands _commands;
    private readonly IMessagePublisher _publisher;
    private readonly LamportClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger<ControlDispatcher> _logger;
    private readonly string _hostname;

    /// <summary>Creates the dispatcher.</summary>
    public ControlDispatcher(WorkerControlCommands commands, IMessagePublisher publisher, LamportClock clock, TimeProvider time,
        IOptions<Execution.WorkerOptions> options, ILogger<ControlDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _commands = commands;
        _publisher = publisher;
        _clock = clock;
        _time = time;
        _logger = logger;
        _hostname = options.Value.Hostname;
    }

    /// <summary>The queue this node's commands arrive on.</summary>
    public static string QueueName(string hostname) => $"{hostname}.{Exchange}";

    /// <summary>Handles one pidbox message; a message that cannot be read is logged and ignored.</summary>
    public async ValueTask HandleAsync(TransportMessage message, CancellationToken cancellationToken)
    {
        ControlRequest request;
        try
        {
            request = ControlRequest.Decode(message);
        }
        catch (MessageDecodeException ex)
        {
            Log.ControlMessageUndecodable(_logger, ex.Message);
            return;
        }

        if (request.Clock is { } clock)
        {
            _clock.Adjust(clock);
        }

        if (!IsForMe(request) || IsExpired(request))
        {
            return;
        }

        Log.ControlCommandReceived(_logger, request.Method, request.ReplyRoutingKey ?? "-");
        object? reply;
        try
        {
            reply = await _commands.ExecuteAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !Fatal.IsFatal(ex))
        {
            Log.ControlCommandFailed(_logger, request.Method, ex);
            reply = new Dictionary<string, string> { ["error"] = $"{ex.GetType().Name}({PythonRepr.FormatString(ex.Message)})" };
        }

        if (request.WantsReply && reply is not WorkerControlCommands.NoReply)
        {
            await PublishReplyAsync(request, reply, cancellationToken);
        }
    }

    private bool IsForMe(ControlRequest request)
    {
        if (request.Destination is { Count: > 0 } destination)
        {
            return destination.Contains(_hostname, StringComparer.Ordinal);
        }

        if (string.IsNullOrEmpty(request.Pattern) || string.IsNullOrEmpty(request.Matcher))
        {
            return true;
        }

        var regex = request.Matcher == "glob"
            ? "^" + Regex.Escape(request.Pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$"
            : request.Pattern;
        return Regex.IsMatch(_hostname, regex, RegexOptions.None, TimeSpan.FromSeconds(1));
    }

    private bool IsExpired(ControlRequest request) =>
        request.Expires is > 0 and var expires && CeleryTime.ToUnixSeconds(_time.GetUtcNow()) > expires;

    private ValueTask PublishReplyAsync(ControlRequest request, object? reply, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = CeleryJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(_hostname);
            JsonSerializer.Serialize(writer, reply, reply?.GetType() ?? typeof(object), CeleryJson.Options);
            writer.WriteEndObject();
        }

        var message = new TransportMessage
        {
            Body = buffer.WrittenMemory,
            ContentType = TaskMessageCodec.JsonContentType,
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Transient,
            Headers = new Dictionary<string, object?> { ["ticket"] = request.Ticket, ["clock"] = HeaderValues.FromInteger(_clock.Forward()) },
        };
        var exchange = string.IsNullOrEmpty(request.ReplyExchange) ? ReplyExchange : request.ReplyExchange;
        return _publisher.PublishAsync(new OutgoingMessage(exchange, request.ReplyRoutingKey!, message, RequiresConfirmation: false), cancellationToken);
    }
}
