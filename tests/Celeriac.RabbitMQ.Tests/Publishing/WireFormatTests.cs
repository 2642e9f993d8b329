using System.Collections;
using System.Text;
using System.Text.Json;
using Celeriac.RabbitMQ.Tests.Support;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Tests.Publishing;

/// <summary>
/// What Celeriac puts on the wire, read back with a plain RabbitMQ.Client exactly as it arrives: task messages from
/// the client, and results, events and control replies from a worker (celery-protocol.md §2, §5, §6, §7, §9).
/// </summary>
public sealed class WireFormatTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    // Exactly the keys Celery 5.2.6 sends (../shared/interop/celery-5.2.6-wire/a_task_message_add.json).
    private static readonly string[] s_celeryTaskHeaders =
        ["lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr",
            "kwargsrepr", "origin", "ignore_result"];

    [Fact]
    public async Task SendAsync_Task_HeadersHaveCeleryWireTypesAndPropertiesAreCelerys()
    {
        const string queue = "wire-tasks";
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);

        var sent = await client.Client.SendAsync("tasks.add", [2, 3], null, new() { Queue = queue }, CancellationToken.None);

        var message = await raw.GetAsync(queue, TestTimeouts.Short, "the task message in its queue");
        var properties = message.BasicProperties;
        Assert.Equal("", message.Exchange);
        Assert.Equal(queue, message.RoutingKey);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("utf-8", properties.ContentEncoding);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(sent.Id, properties.CorrelationId);
        Assert.Equal(client.Client.ReplyQueue, properties.ReplyTo);
        Assert.Equal(0, properties.Priority);

        // Strings must be AMQP long strings ('S', which RabbitMQ.Client hands over as byte[]), never byte arrays ('x'):
        // Python receives an 'x' value as bytes and Celery then fails to route or log the task.
        Assert.Equal("py", RawAmqp.LongString(properties, "lang"));
        Assert.Equal("tasks.add", RawAmqp.LongString(properties, "task"));
        Assert.Equal(sent.Id, RawAmqp.LongString(properties, "id"));
        Assert.Equal(sent.Id, RawAmqp.LongString(properties, "root_id"));
        Assert.Equal("(2, 3)", RawAmqp.LongString(properties, "argsrepr"));
        Assert.Equal("{}", RawAmqp.LongString(properties, "kwargsrepr"));
        Assert.StartsWith("gen", RawAmqp.LongString(properties, "origin"), StringComparison.Ordinal);
        var headers = properties.Headers!;
        Assert.Equal(s_celeryTaskHeaders.Order(StringComparer.Ordinal), HeaderNames(headers).Order(StringComparer.Ordinal));
        foreach (var unset in new[] { "shadow", "eta", "expires", "group", "group_index", "parent_id" })
        {
            Assert.True(headers.TryGetValue(unset, out var value) && value is null, $"Expected the header '{unset}' present as void (null), got {Describe(headers, unset)}.");
        }

        Assert.IsType<int>(headers["retries"]);
        Assert.Equal(0, (int)headers["retries"]!);
        var timelimit = Assert.IsAssignableFrom<IList>(headers["timelimit"]);
        Assert.True(timelimit.Count == 2 && timelimit[0] is null && timelimit[1] is null, $"Expected timelimit [None, None], got {Describe(headers, "timelimit")}.");
        Assert.IsType<bool>(headers["ignore_result"]);
        Assert.False((bool)headers["ignore_result"]!);
        Assert.DoesNotContain(headers.Values, v => v is BinaryTableValue);

        using var body = JsonDocument.Parse(message.Body);
        Assert.Equal("""[[2,3],{},{"callbacks":null,"errbacks":null,"chain":null,"chord":null}]""", JsonSerializer.Serialize(body.RootElement));
    }

    [Fact]
    public async Task PublishResult_TaskSucceeded_ResultIsPersistentJsonToReplyToWithCorrelationId()
    {
        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.add", (int x, int y) => x + y));
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        var replyTo = await raw.DeclareReplyQueueAsync();
        var id = Guid.NewGuid().ToString();

        await raw.PublishAsync("celery", RawAmqp.CeleryTaskBody("[2, 3]"), RawAmqp.CeleryTaskProperties(id, "tests.add", replyTo, "(2, 3)"));

        var result = await raw.GetAsync(replyTo, TestTimeouts.Long, "the result in the reply queue");
        Assert.Equal("", result.Exchange);
        Assert.Equal(replyTo, result.RoutingKey);
        var properties = result.BasicProperties;
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal("utf-8", properties.ContentEncoding);
        Assert.Equal(id, properties.CorrelationId);
        Assert.Equal(DeliveryModes.Persistent, properties.DeliveryMode);
        Assert.Equal(0, properties.Priority);
        Assert.True(properties.Headers is null || HeaderNames(properties.Headers).Count == 0,
            $"Expected empty headers on a result, got [{string.Join(", ", properties.Headers?.Keys ?? [])}].");
        using var body = JsonDocument.Parse(result.Body);
        var root = body.RootElement;
        Assert.Equal(id, root.GetProperty("task_id").GetString());
        Assert.Equal("SUCCESS", root.GetProperty("status").GetString());
        Assert.Equal(5, root.GetProperty("result").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("traceback").ValueKind);
        Assert.Equal(0, root.GetProperty("children").GetArrayLength());
    }

    [Fact]
    public async Task SendEvent_TaskEventsAndHeartbeat_AreTransientJsonOnCeleryevWithHostnameHeader()
    {
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        var events = await raw.Channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await raw.Channel.ExchangeDeclareAsync("celeryev", ExchangeType.Topic, durable: true, autoDelete: false);
        await raw.Channel.QueueBindAsync(events.QueueName, "celeryev", "#");
        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.add", (int x, int y) => x + y));
        await using var client = TestClient.Create(fixture.VirtualHost, output);

        var sent = await client.Client.SendAsync("tests.add", 2, 3);
        await sent.GetAsync(TestTimeouts.Long);

        // By event type: the message that carried it, and the event. Task events that arrive together go as one
        // task.multi list, as a prefork Celery worker sends them.
        var seen = new Dictionary<string, (BasicGetResult Message, JsonElement Event)>();
        await raw.GetMatchingAsync(events.QueueName, m =>
        {
            var body = JsonDocument.Parse(m.Body).RootElement;
            foreach (var item in body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().ToArray() : [body])
            {
                seen.TryAdd(item.GetProperty("type").GetString()!, (m, item));
            }

            return seen.ContainsKey("task-succeeded") && seen.ContainsKey("worker-heartbeat");
        }, TestTimeouts.Short, "task-succeeded and worker-heartbeat events on celeryev");
        foreach (var type in new[] { "worker-online", "task-received", "task-started", "task-succeeded", "worker-heartbeat" })
        {
            Assert.True(seen.TryGetValue(type, out var found), $"Expected a {type} event; got [{string.Join(", ", seen.Keys)}].");
            var message = found.Message;
            Assert.Equal("celeryev", message.Exchange);
            Assert.Contains(message.RoutingKey, new[] { type.Replace('-', '.'), "task.multi" });
            Assert.Equal("application/json", message.BasicProperties.ContentType);
            Assert.Equal("utf-8", message.BasicProperties.ContentEncoding);
            Assert.Equal(DeliveryModes.Transient, message.BasicProperties.DeliveryMode);
            Assert.Equal(worker.Hostname, RawAmqp.LongString(message.BasicProperties, "hostname"));
            Assert.Equal(worker.Hostname, found.Event.GetProperty("hostname").GetString());
        }

        Assert.Equal("worker.heartbeat", seen["worker-heartbeat"].Message.RoutingKey);
    }

    [Fact]
    public async Task ControlReply_Ping_GoesToReplyExchangeWithTicketAndClockHeaders()
    {
        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.noop", () => { }));
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        var oid = Guid.NewGuid().ToString();
        var replyQueue = $"{oid}.reply.celery.pidbox";
        await raw.Channel.QueueDeclareAsync(replyQueue, durable: false, exclusive: false, autoDelete: true,
            arguments: new Dictionary<string, object?> { ["x-expires"] = 10_000, ["x-message-ttl"] = 300_000 });
        await raw.Channel.QueueBindAsync(replyQueue, "reply.celery.pidbox", oid);
        var ticket = Guid.NewGuid().ToString();

        // Exactly what app.control.ping(destination=[node]) publishes.
        var request = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["method"] = "ping",
            ["arguments"] = new Dictionary<string, object>(),
            ["destination"] = new[] { worker.Hostname },
            ["pattern"] = null,
            ["matcher"] = null,
            ["ticket"] = ticket,
            ["reply_to"] = new Dictionary<string, string> { ["exchange"] = "reply.celery.pidbox", ["routing_key"] = oid },
        }));
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?> { ["clock"] = 1, ["expires"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 30.0 },
        };
        await raw.Channel.BasicPublishAsync("celery.pidbox", "", mandatory: false, properties, request);

        var reply = await raw.GetAsync(replyQueue, TestTimeouts.Short, "the ping reply");
        Assert.Equal("reply.celery.pidbox", reply.Exchange);
        Assert.Equal(oid, reply.RoutingKey);
        Assert.Equal("application/json", reply.BasicProperties.ContentType);
        Assert.Equal(DeliveryModes.Transient, reply.BasicProperties.DeliveryMode);
        Assert.Equal(ticket, RawAmqp.LongString(reply.BasicProperties, "ticket"));
        Assert.IsType<int>(reply.BasicProperties.Headers!["clock"]);
        using var body = JsonDocument.Parse(reply.Body);
        Assert.Equal("pong", body.RootElement.GetProperty(worker.Hostname).GetProperty("ok").GetString());
    }

    private static string Describe(IDictionary<string, object?> headers, string key) =>
        !headers.TryGetValue(key, out var value) ? "no such header"
        : value is null ? "null"
        : value is IList list ? $"{value.GetType().Name}[{string.Join(", ", list.Cast<object?>().Select(v => v?.GetType().Name ?? "null"))}]"
        : $"{value.GetType().Name} {value}";

    // Exactly the header names on the wire: RabbitMQ.Client's own confirm tracking would add x-dotnet-pub-seq-no,
    // which Celeriac's publisher avoids by tracking confirms itself.
    private static List<string> HeaderNames(IDictionary<string, object?> headers) => headers.Keys.ToList();
}
