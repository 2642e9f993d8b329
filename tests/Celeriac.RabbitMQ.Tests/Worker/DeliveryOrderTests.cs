using System.Collections.Concurrent;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>With concurrency 1, tasks run in the order the broker delivered them, as with a Celery worker.</summary>
public sealed class DeliveryOrderTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private const int Count = 200;

    [Fact]
    public async Task Consume_BurstOfQueuedTasksWithConcurrencyOne_RunsThemInQueueOrder()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        var sent = new List<AsyncResult>();
        for (var n = 1; n <= Count; n++)
        {
            sent.Add(await client.Client.SendAsync("tasks.record", n));
        }

        // Queued before the worker starts, so the broker hands them over in one burst: the deliveries are received
        // side by side, and only the worker's line for its slot keeps them in order.
        var order = new ConcurrentQueue<int>();
        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b
                .AddTask("tasks.record", (int n) => order.Enqueue(n))
                .UseInMemoryStore(), // record writes and record-backed revoke checks make receiving take a while, as in production
            o =>
            {
                o.Concurrency = 1;
                o.PrefetchMultiplier = 0;
            });

        foreach (var task in sent)
        {
            await task.GetAsync(TestTimeouts.Long);
        }

        Assert.Equal(Enumerable.Range(1, Count), order);
    }
}
