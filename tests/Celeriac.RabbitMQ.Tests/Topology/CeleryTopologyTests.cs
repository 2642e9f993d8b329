using System.Text.Json;
using Celeriac.RabbitMQ.Tests.Support;
using Celeriac.Testing;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Tests.Topology;

/// <summary>
/// A started worker has declared exactly what Celery declares (celery-protocol.md §1), so a Python client or worker
/// that declares the same entities afterwards gets no 406 PRECONDITION_FAILED.
/// </summary>
public sealed class CeleryTopologyTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private static readonly Dictionary<string, object> s_noArguments = [];

    private RabbitMqVirtualHost VirtualHost => fixture.VirtualHost;

    [Fact]
    public async Task StartAsync_FreshVirtualHost_DeclaresEveryEntityWithCeleryFlagsAndArguments()
    {
        await using var worker = await InProcessWorker.StartAsync(VirtualHost, output, b => b.AddTask("tests.noop", () => { }));

        var queue = await ManagementAssert.QueueExistsAsync(VirtualHost, "celery");
        ManagementAssert.Has(queue, "queue celery", ("durable", true), ("auto_delete", false), ("exclusive", false));
        ManagementAssert.HasArguments(queue, "queue celery", s_noArguments);

        var exchange = await ManagementAssert.ExchangeExistsAsync(VirtualHost, "celery");
        ManagementAssert.Has(exchange, "exchange celery", ("type", "direct"), ("durable", true), ("auto_delete", false), ("internal", false));
        ManagementAssert.HasArguments(exchange, "exchange celery", s_noArguments);
        var bindings = await VirtualHost.GetBindingsAsync("celery", "celery");
        Assert.True(bindings.EnumerateArray().Any(b => b.GetProperty("routing_key").GetString() == "celery"),
            $"Expected the queue celery bound to the exchange celery with key 'celery'; bindings: {bindings}");

        var events = await ManagementAssert.ExchangeExistsAsync(VirtualHost, "celeryev");
        ManagementAssert.Has(events, "exchange celeryev", ("type", "topic"), ("durable", true), ("auto_delete", false));
        ManagementAssert.HasArguments(events, "exchange celeryev", s_noArguments);

        var pidbox = await ManagementAssert.ExchangeExistsAsync(VirtualHost, "celery.pidbox");
        ManagementAssert.Has(pidbox, "exchange celery.pidbox", ("type", "fanout"), ("durable", false), ("auto_delete", false));
        var replies = await ManagementAssert.ExchangeExistsAsync(VirtualHost, "reply.celery.pidbox");
        ManagementAssert.Has(replies, "exchange reply.celery.pidbox", ("type", "direct"), ("durable", false), ("auto_delete", false));

        var nodeQueueName = $"{worker.Hostname}.celery.pidbox";
        var nodeQueue = await ManagementAssert.QueueExistsAsync(VirtualHost, nodeQueueName);
        ManagementAssert.Has(nodeQueue, nodeQueueName, ("durable", false), ("auto_delete", true), ("exclusive", false));
        ManagementAssert.HasArguments(nodeQueue, nodeQueueName, new Dictionary<string, object> { ["x-expires"] = 10_000, ["x-message-ttl"] = 300_000 });
        var nodeBindings = await VirtualHost.GetBindingsAsync("celery.pidbox", nodeQueueName);
        Assert.True(nodeBindings.GetArrayLength() == 1, $"Expected {nodeQueueName} bound to celery.pidbox; bindings: {nodeBindings}");

        var parking = await ManagementAssert.QueueExistsAsync(VirtualHost, "celery_error");
        ManagementAssert.Has(parking, "queue celery_error", ("durable", true), ("auto_delete", false), ("exclusive", false));
        ManagementAssert.HasArguments(parking, "queue celery_error", s_noArguments);
    }

    [Fact]
    public async Task Redeclare_WithCeleryFlagsWhileWorkerRuns_SucceedsWithout406()
    {
        await using var worker = await InProcessWorker.StartAsync(VirtualHost, output, b => b.AddTask("tests.noop", () => { }));
        await using var raw = await RawAmqp.ConnectAsync(VirtualHost);

        await using (var channel = await raw.OpenChannelAsync())
        {
            // Throws OperationInterruptedException (406) if anything differs from what the worker declared.
            await CeleryDeclares.AllAsync(channel, worker.Hostname);
            Assert.True(channel.IsOpen, $"The channel closed after Celery's declares: {channel.CloseReason}");
        }

        // The broker does compare: the same queue with one flag changed is refused, so the success above means something.
        await using var mismatched = await raw.OpenChannelAsync();
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() =>
            mismatched.QueueDeclareAsync("celery", durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-max-priority"] = 10 }));
        Assert.True(refused.ShutdownReason?.ReplyCode == 406, $"Expected 406 PRECONDITION_FAILED, got {refused.ShutdownReason}");
    }

    [Fact]
    public async Task SendAsync_FirstTask_DeclaresReplyQueueAsCeleryClientDoes()
    {
        await using var client = TestClient.Create(VirtualHost, output);

        await client.Client.SendAsync("tests.noop");

        var replyQueue = await ManagementAssert.QueueExistsAsync(VirtualHost, client.Client.ReplyQueue);
        ManagementAssert.Has(replyQueue, "the rpc:// reply queue", ("durable", false), ("auto_delete", true), ("exclusive", false));
        ManagementAssert.HasArguments(replyQueue, "the rpc:// reply queue", new Dictionary<string, object> { ["x-expires"] = 86_400_000 });
        await using var raw = await RawAmqp.ConnectAsync(VirtualHost);
        await raw.Channel.QueuePurgeAsync("celery");
    }

    [Fact]
    public async Task SubscribeAsync_EventReceiver_DeclaresQueueAsCeleryReceiverDoes()
    {
        await using var client = TestClient.Create(VirtualHost, output);

        await using var events = await client.SubscribeAsync();

        JsonElement[] receiverQueues = [];
        await Eventually.WaitAsync(async () =>
        {
            var queues = await VirtualHost.GetQueuesAsync();
            receiverQueues = queues.EnumerateArray().Where(q => q.GetProperty("name").GetString()!.StartsWith("celeryev.", StringComparison.Ordinal)).ToArray();
            return receiverQueues.Length > 0;
        }, TestTimeouts.Short, "the event receiver's celeryev.<uuid> queue to exist");
        var queue = Assert.Single(receiverQueues);
        ManagementAssert.Has(queue, "the event receiver's queue", ("durable", false), ("auto_delete", true));
        ManagementAssert.HasArguments(queue, "the event receiver's queue", new Dictionary<string, object> { ["x-message-ttl"] = 5_000, ["x-expires"] = 60_000 });
        var bindings = await VirtualHost.GetBindingsAsync("celeryev", queue.GetProperty("name").GetString()!);
        Assert.True(bindings.EnumerateArray().Any(b => b.GetProperty("routing_key").GetString() == "#"),
            $"Expected the receiver's queue bound to celeryev with '#'; bindings: {bindings}");
    }
}
