using Celeriac.Core.Control;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary>
/// <c>active_queues</c>, <c>add_consumer</c>, <c>cancel_consumer</c>, <c>pool_grow</c>, <c>pool_shrink</c>: Celery's
/// replies, through the host's consumer and pool, and what a host without them answers.
/// </summary>
public sealed class QueueAndPoolCommandTests(ITestOutputHelper output)
{
    // kombu's Queue.as_dict(recurse=True), as a Celery 5.2.6 worker answered inspect().active_queues().
    private const string CeleryQueue = """
        {"name": "celery", "exchange": {"name": "celery", "type": "direct", "arguments": null, "durable": true, "passive": false,
         "auto_delete": false, "delivery_mode": null, "no_declare": false}, "routing_key": "celery", "queue_arguments": null,
         "binding_arguments": null, "consumer_arguments": null, "durable": true, "exclusive": false, "auto_delete": false,
         "no_ack": false, "alias": null, "bindings": [], "no_declare": null, "expires": null, "message_ttl": null,
         "max_length": null, "max_length_bytes": null, "max_priority": null}
        """;

    [Fact]
    public async Task ActiveQueues_NoConsumerSeam_ReportsTheConfiguredQueuesAsCelery()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("active_queues"), default);

        AssertJson.Equal($"[{CeleryQueue}]", ControlReplies.Of(worker));
    }

    [Fact]
    public async Task AddConsumer_QueueNamedAlone_ConsumesItWithCelerysDefaultsAndListsIt()
    {
        var consumer = new FakeConsumer();
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<ITaskQueueConsumer>(consumer));

        await worker.Control.HandleAsync(ControlCommand("add_consumer", new { queue = "foo" }), default);

        Assert.Equal("add consumer foo", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.Equal(new ConsumedQueue("foo", "foo", "direct", "foo"), consumer.Queues[^1]);
        await worker.Control.HandleAsync(ControlCommand("active_queues"), default);
        Assert.Equal(["celery", "foo"], ControlReplies.Of(worker).EnumerateArray().Select(q => q.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task AddConsumer_ExchangeTypeAndRoutingKey_ArePassedOn()
    {
        var consumer = new FakeConsumer();
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<ITaskQueueConsumer>(consumer));

        await worker.Control.HandleAsync(ControlCommand("add_consumer",
            new { queue = "q", exchange = "ex", exchange_type = "topic", routing_key = "a.#" }), default);

        Assert.Equal(new ConsumedQueue("q", "ex", "topic", "a.#"), consumer.Queues[^1]);
    }

    [Fact]
    public async Task CancelConsumer_ConsumedQueue_StopsConsumingIt()
    {
        var consumer = new FakeConsumer();
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<ITaskQueueConsumer>(consumer));

        await worker.Control.HandleAsync(ControlCommand("cancel_consumer", new { queue = "celery" }), default);

        Assert.Equal("no longer consuming from celery", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.Empty(consumer.Queues);
    }

    [Fact]
    public async Task AddConsumer_ConsumerFails_RepliesWithTheError()
    {
        var consumer = new FakeConsumer { Failure = new InvalidOperationException("PRECONDITION_FAILED") };
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<ITaskQueueConsumer>(consumer));

        await worker.Control.HandleAsync(ControlCommand("add_consumer", new { queue = "foo" }), default);

        Assert.Equal("InvalidOperationException('PRECONDITION_FAILED')", ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("add_consumer")]
    [InlineData("cancel_consumer")]
    [InlineData("pool_grow")]
    [InlineData("pool_shrink")]
    public async Task QueueAndPoolCommands_HostWithoutTheSeam_SayTheyAreNotSupported(string method)
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand(method, new { queue = "foo", n = 1 }), default);

        Assert.Equal($"{method} is not supported by this host", ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Fact]
    public async Task PoolGrowAndShrink_ChangeConcurrencyAndStatsFollow()
    {
        var pool = new FakePool(4);
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<IWorkerPool>(pool));

        await worker.Control.HandleAsync(ControlCommand("pool_grow", new { n = 2 }), default);
        Assert.Equal("pool will grow", ControlReplies.Of(worker).GetProperty("ok").GetString());
        await worker.Control.HandleAsync(ControlCommand("pool_shrink"), default);
        Assert.Equal("pool will shrink", ControlReplies.Of(worker).GetProperty("ok").GetString());

        Assert.Equal(5, pool.Concurrency);
        await worker.Control.HandleAsync(ControlCommand("stats"), default);
        var stats = ControlReplies.Of(worker);
        Assert.Equal(5, stats.GetProperty("pool").GetProperty("max-concurrency").GetInt32());
        Assert.Equal(5 * 4, stats.GetProperty("prefetch_count").GetInt32());
    }

    [Fact]
    public async Task PoolShrink_BelowOneSlot_RepliesWithValueErrorAsCeleryPoolsDo()
    {
        var pool = new FakePool(1);
        await using var worker = TestWorker.Create(output, services: s => s.AddSingleton<IWorkerPool>(pool));

        await worker.Control.HandleAsync(ControlCommand("pool_shrink", new { n = 1 }), default);

        Assert.Equal("ValueError(\"Can't shrink pool below one slot\")", ControlReplies.Of(worker).GetProperty("error").GetString());
        Assert.Equal(1, pool.Concurrency);
    }

    private sealed class FakeConsumer : ITaskQueueConsumer
    {
        private readonly List<ConsumedQueue> _queues = [ConsumedQueue.Named("celery")];

        public Exception? Failure { get; init; }

        public IReadOnlyList<ConsumedQueue> Queues => _queues.ToArray();

        public ValueTask AddQueueAsync(ConsumedQueue queue, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            _queues.Add(queue);
            return ValueTask.CompletedTask;
        }

        public ValueTask CancelQueueAsync(string queue, CancellationToken cancellationToken)
        {
            _queues.RemoveAll(q => q.Name == queue);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FakePool(int concurrency) : IWorkerPool
    {
        public int Concurrency { get; private set; } = concurrency;

        public ValueTask GrowAsync(int n, CancellationToken cancellationToken)
        {
            Concurrency += n;
            return ValueTask.CompletedTask;
        }

        public ValueTask ShrinkAsync(int n, CancellationToken cancellationToken)
        {
            Concurrency = Concurrency - n >= 1 ? Concurrency - n : throw new InvalidOperationException("Can't shrink pool below one slot");
            return ValueTask.CompletedTask;
        }
    }
}
