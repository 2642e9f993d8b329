using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.Benchmarks;

/// <summary>
/// The broker's ceiling for a task's traffic, moved by RabbitMQ.Client alone: per delivered task message, three
/// task events (received, started, succeeded) on <c>celeryev</c> without confirms, one result to the message's
/// reply queue with a publisher confirm awaited, then the ack: what a Celery or Celeriac worker sends, minus
/// decoding, running and recording. Up to <c>prefetch</c> tasks are in flight at once.
/// </summary>
internal static class CeilingWorker
{
    private static readonly string[] s_events = ["task-received", "task-started", "task-succeeded"];

    public static async Task<int> RunAsync(string url, string queue, ushort prefetch)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = "ceiling" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var consume = await connection.CreateChannelAsync();
        await using var confirmed = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var events = await connection.CreateChannelAsync();
        await consume.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await consume.BasicQosAsync(0, prefetch, global: true);
        var hostname = $"ceiling@{Environment.MachineName}";
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
                await events.BasicPublishAsync("celeryev", type.Replace('-', '.'), mandatory: false, new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8" },
                    Event(type, id, hostname));
            }

            var result = Encoding.UTF8.GetBytes(
                $$"""{"status": "SUCCESS", "result": null, "traceback": null, "children": [], "date_done": "{{DateTime.UtcNow:O}}", "task_id": "{{id}}"}""");
            await confirmed.BasicPublishAsync("", replyTo, mandatory: false,
                new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8", CorrelationId = id, DeliveryMode = DeliveryModes.Persistent }, result);
            await consume.BasicAckAsync(tag, multiple: false);
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

    private static byte[] Event(string type, string id, string hostname) => Encoding.UTF8.GetBytes(
        $$"""{"hostname": "{{hostname}}", "utcoffset": 0, "pid": {{Environment.ProcessId}}, "clock": 1, "uuid": "{{id}}", "timestamp": {{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0}}, "type": "{{type}}", "name": "tasks.noop", "args": "()", "kwargs": "{}", "root_id": "{{id}}", "parent_id": null, "retries": 0, "eta": null, "expires": null, "result": "None", "runtime": 0.0001}""");
}
