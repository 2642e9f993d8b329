using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Topology;

/// <summary>The other order: Python Celery declared everything first, then a Celeriac worker starts on the same broker.</summary>
public sealed class CeleryTopologyPreDeclaredTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task StartAsync_TopologyPreDeclaredByCelery_StartsAndRunsTasks()
    {
        var virtualHost = fixture.VirtualHost;
        var node = $"predeclared-{Guid.NewGuid().ToString("N")[..6]}@test";
        await using (var raw = await RawAmqp.ConnectAsync(virtualHost))
        {
            await using var channel = await raw.OpenChannelAsync();
            await CeleryDeclares.AllAsync(channel, node);
        }

        // Ready faults if any of the worker's declares is refused.
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output, b => b.AddTask("tests.add", (int x, int y) => x + y),
            hostname: node);
        await using var client = TestClient.Create(virtualHost, output);
        var result = await client.Client.SendAsync("tests.add", 2, 3);

        Assert.Equal(5, (await result.GetAsync(TestTimeouts.Long)).GetInt32());
        var queue = await ManagementAssert.QueueExistsAsync(virtualHost, "celery");
        ManagementAssert.HasArguments(queue, "queue celery", new Dictionary<string, object>());
        var reply = await client.AskAsync(node, "ping");
        Assert.Equal("pong", reply.GetProperty("ok").GetString());
    }
}
