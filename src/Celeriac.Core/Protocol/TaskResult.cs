using System.Buffers;
using System.Text.Json;
using Celeriac.Core.States;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Protocol;

/// <summary>
/// A state report on the rpc:// result backend: <c>{"task_id", "status", "result", "traceback", "children"}</c>,
/// published to the client's reply queue.
/// </summary>
public sealed record TaskResult
{
    /// <summary>The task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The state.</summary>
    public required TaskState State { get; init; }

    /// <summary>The return value (SUCCESS), or null.</summary>
    public JsonElement Value { get; init; } = CeleryJson.Null;

    /// <summary>The exception (FAILURE, REVOKED, RETRY), or null.</summary>
    public TaskError? Error { get; init; }

    /// <summary>The traceback text; for .NET tasks, the exception's stack trace.</summary>
    public string? Traceback { get; init; }

    /// <summary>Writes the result message for the task's reply queue.</summary>
    /// <param name="replyTo">The rpc:// reply queue (routing key on the default exchange).</param>
    /// <param name="correlationId">The task's correlation id (the task id unless the sender chose another).</param>
    /// <param name="persistent">Delivery mode 2, as Celery's <c>result_persistent</c>.</param>
    public OutgoingMessage ToMessage(string replyTo, string? correlationId, bool persistent) =>
        new("", replyTo, new TransportMessage
        {
            Body = Encode(),
            ContentType = TaskMessageCodec.JsonContentType,
            ContentEncoding = "utf-8",
            CorrelationId = correlationId ?? TaskId,
            DeliveryMode = persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
            Priority = 0,
            Headers = TransportMessage.EmptyHeaders,
        });

    /// <summary>The JSON body.</summary>
    public ReadOnlyMemory<byte> Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("task_id", TaskId);
            writer.WriteString("status", State.ToWireName());
            writer.WritePropertyName("result");
            if (Error is not null)
            {
                Error.WriteTo(writer);
            }
            else
            {
                CeleryJson.WriteValue(writer, Value);
            }

            if (Traceback is null)
            {
                writer.WriteNull("traceback");
            }
            else
            {
                writer.WriteString("traceback", Traceback);
            }

            writer.WriteStartArray("children");
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Reads a result message body. Throws <see cref="MessageDecodeException"/> when it is not one.</summary>
    public static TaskResult Decode(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = CeleryJson.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                // Old amqp backends sent a list; never seen from rpc:// but harmless to accept.
                root = root[0];
            }

            var id = root.GetProperty("task_id").GetString() ?? throw new MessageDecodeException("The result has no task_id.");
            var status = root.GetProperty("status").GetString();
            if (!TaskStates.TryParseWireName(status, out var state))
            {
                state = TaskState.Pending;
            }

            var result = root.TryGetProperty("result", out var r) ? r.Clone() : CeleryJson.Null;
            var error = state is TaskState.Failure or TaskState.Revoked or TaskState.Retry ? TaskError.Read(result) : null;
            return new TaskResult
            {
                TaskId = id,
                State = state,
                Value = error is null ? result : CeleryJson.Null,
                Error = error,
                Traceback = root.TryGetProperty("traceback", out var tb) && tb.ValueKind == JsonValueKind.String ? tb.GetString() : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new MessageDecodeException($"Not a result message: {ex.Message}", ex);
        }
    }
}
