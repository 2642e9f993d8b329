using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.Benchmarks;

/// <summary>
/// The broker's ceiling for a task's traffic, moved by RabbitMQ.Client alone: per delivered task message, three
/// task events (received, started, succeeded) on <c>celeryev</c> without confirms, one result to the message's
/// reply queue with a publisher confirm awaited, then the ack: what a Celery or Celeriac worker sends, minus
/// decoding, running and recording. Up to <c>prefetch</c> tasks are in flight at once. With <c>batchEvents</c> the
/// events go as Celeriac and a prefork Celery worker send them: buffered, and sent by one flush at a time, the events
/// that arrived meanwhile together as one <c>task.multi</c> list of up to 24.
/// </summary>
internal static class CeilingWorker
{
    private static readonly string[] s_events = ["task-received", "task-started", "task-succeeded"];

    private const int MaxEventsPerMessage = 24;

    public static async Task<int> RunAsync(string url, string queue, ushort prefetch, bool batchEvents)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "ceiling" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var consume = await connection.CreateChannelAsync();
        await using var confirmed = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var events = await connection.CreateChannelAsync();
        await consume.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await consume.BasicQosAsync(0, prefetch, global: true);
        var hostname = $"ceiling@{Environment.MachineName}";
        var eventProperties = new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8" };
        var buffered = new List<(string RoutingKey, string Body)>();
        var flushing = false;

        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += (_, e) =>
        {
            // Copied: the body's buffer is the client's and is reused once this handler returns.
            var id = e.BasicProperties.CorrelationId ?? "";
            var replyTo = e.BasicProperties.ReplyTo ?? "";
            var tag = e.DeliveryTag;
            _ = HandleAsync(id, replyTo, tag);
            return Task.CompletedTask;
        };

        async Task HandleAsync(string id, string replyTo, ulong tag)
        {
            foreach (var type in s_events)
            {
                if (batchEvents)
                {
                    Buffer(type.Replace('-', '.'), Event(type, id, hostname));
                }
                else
                {
                    await events.BasicPublishAsync("celeryev", type.Replace('-', '.'), mandatory: false, eventProperties, Encoding.UTF8.GetBytes(Event(type, id, hostname)));
                }
            }

            var result = Encoding.UTF8.GetBytes(
                $$"""{"status": "SUCCESS", "result": null, "traceback": null, "children": [], "date_done": "{{DateTime.UtcNow:O}}", "task_id": "{{id}}"}""");
            await confirmed.BasicPublishAsync("", replyTo, mandatory: false,
                new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8", CorrelationId = id, DeliveryMode = DeliveryModes.Persistent }, result);
            await consume.BasicAckAsync(tag, multiple: false);
        }

        void Buffer(string routingKey, string body)
        {
            lock (buffered)
            {
                buffered.Add((routingKey, body));
                if (flushing)
                {
                    return;
                }

                flushing = true;
            }

            ThreadPool.UnsafeQueueUserWorkItem(_ => _ = FlushAsync(), null);
        }

        async Task FlushAsync()
        {
            while (true)
            {
                (string RoutingKey, string Body)[] batch;
                lock (buffered)
                {
                    if (buffered.Count == 0)
                    {
                        flushing = false;
                        return;
                    }

                    batch = [.. buffered];
                    buffered.Clear();
                }

                foreach (var chunk in batch.Chunk(MaxEventsPerMessage))
                {
                    var (routingKey, body) = chunk.Length == 1 ? chunk[0] : ("task.multi", $"[{string.Join(", ", chunk.Select(e => e.Body))}]");
                    await events.BasicPublishAsync("celeryev", routingKey, mandatory: false, eventProperties, Encoding.UTF8.GetBytes(body));
                }
            }
        }

        await consume.BasicConsumeAsync(queue, autoAck: false, consumer);
        Console.WriteLine("ceiling ready");
        var stop = new TaskCompletionSource();
        using var registration = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }

    private static string Event(string type, string id, string hostname) =>
        $$"""{"hostname": "{{hostname}}", "utcoffset": 0, "pid": {{Environment.ProcessId}}, "clock": 1, "uuid": "{{id}}", "timestamp": {{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0}}, "type": "{{type}}", "name": "tasks.noop", "args": "()", "kwargs": "{}", "root_id": "{{id}}", "parent_id": null, "retries": 0, "eta": null, "expires": null, "result": "None", "runtime": 0.0001}""";
}
