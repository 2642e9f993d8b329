using System.Collections.Concurrent;
using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Records published messages; can be told to refuse some, as a broker that nacks.</summary>
public sealed class RecordingPublisher(EventLog log) : IMessagePublisher
{
    private readonly ConcurrentQueue<OutgoingMessage> _messages = new();
    private int _started;

    /// <summary>When it returns an exception for a message, the publish throws it instead of recording.</summary>
    public Func<OutgoingMessage, Exception?>? FailWhen { get; set; }

    /// <summary>When it returns a task for a message, the publish waits for it before recording the message.</summary>
    public Func<OutgoingMessage, Task?>? HoldWhen { get; set; }

    /// <summary>How many publishes have started, held ones included.</summary>
    public int Started => Volatile.Read(ref _started);

    public IReadOnlyList<OutgoingMessage> Messages => _messages.ToArray();

    /// <summary>The rpc:// results published to a reply queue.</summary>
    public IReadOnlyList<TaskResult> Results(string replyTo) =>
        Messages.Where(m => m.Exchange == "" && m.RoutingKey == replyTo && !m.Message.Headers.ContainsKey("task")).Select(m => TaskResult.Decode(m.Message.Body)).ToArray();

    /// <summary>The task messages published (a workflow's next steps), decoded.</summary>
    public IReadOnlyList<TaskMessage> Tasks() =>
        Messages.Where(m => m.Message.Headers.ContainsKey("task")).Select(m => TaskMessageCodec.Decode(m.Message)).ToArray();

    /// <summary>The Celery events published, as JSON objects, optionally only those of one type.</summary>
    public IReadOnlyList<JsonElement> Events(string? type = null) =>
        Messages.Where(m => m.Exchange == "celeryev")
            .Select(m => JsonDocument.Parse(m.Message.Body).RootElement)
            // A task.multi message carries a list of events.
            .SelectMany(e => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToArray() : [e])
            .Where(e => type is null || e.GetProperty("type").GetString() == type)
            .ToArray();

    public ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _started);
        return HoldWhen?.Invoke(message) is { } hold ? PublishAfterAsync(hold, message) : Publish(message);
    }

    private async ValueTask PublishAfterAsync(Task hold, OutgoingMessage message)
    {
        await hold;
        await Publish(message);
    }

    private ValueTask Publish(OutgoingMessage message)
    {
        if (FailWhen?.Invoke(message) is { } error)
        {
            log.Add($"publish-failed {Describe(message)}");
            throw error;
        }

        _messages.Enqueue(message);
        log.Add($"publish {Describe(message)}");
        return ValueTask.CompletedTask;
    }

    private static string Describe(OutgoingMessage message)
    {
        if (message.Exchange == "")
        {
            if (message.Message.Headers.TryGetValue("task", out var task))
            {
                return $"task {task} to {message.RoutingKey}";
            }

            var status = JsonDocument.Parse(message.Message.Body).RootElement.TryGetProperty("status", out var s) ? s.GetString() : "?";
            return $"result {status} to {message.RoutingKey}";
        }

        return $"{message.Exchange} {message.RoutingKey}";
    }
}
