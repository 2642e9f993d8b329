using Celeriac.Core.States;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Client;

/// <summary>The .NET client's result handling over rpc://: timeouts, and results that arrive before anyone asks for them.</summary>
public sealed class CeleryClientTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task GetAsync_NoWorkerConsumesTheQueue_ThrowsTimeoutExceptionNamingTheTask()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        var result = await client.Client.SendAsync("tests.add", [2, 3], null, new SendOptions { Queue = "nobody-consumes-this" }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => result.GetAsync(TimeSpan.FromMilliseconds(300)));

        Assert.Contains(result.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("PENDING", error.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.Pending, result.State);
    }

    [Fact]
    public async Task GetResult_ResultArrivedBeforeAnyoneAsked_ReturnsTheBufferedResult()
    {
        await using var worker = await StartWorkerAsync();
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        await using var events = await client.SubscribeAsync();
        // The client's first send declares its reply queue and starts consuming it.
        var first = await client.Client.SendAsync("tests.add", 1, 1);
        Assert.Equal(2, (await first.GetAsync(TestTimeouts.Long)).GetInt32());

        // A task this client did not send but whose results come to its reply queue (as a chain's next step does).
        var id = Guid.NewGuid().ToString();
        await raw.PublishAsync("celery", RawAmqp.CeleryTaskBody("[20, 22]"), RawAmqp.CeleryTaskProperties(id, "tests.add", client.Client.ReplyQueue, "(20, 22)"));
        await events.WaitForAsync("task-succeeded", worker.Hostname, id);
        // Its result went out before that event; a later task's result follows it through the same reply queue, so once
        // the client has that one, it has read the other too.
        var after = await client.Client.SendAsync("tests.add", 2, 2);
        Assert.Equal(4, (await after.GetAsync(TestTimeouts.Long)).GetInt32());

        var late = client.Client.GetResult(id);

        Assert.True(late.Ready, $"Expected the buffered result to resolve the handle at once; its state is {late.State}.");
        Assert.Equal(42, (await late.GetAsync(TimeSpan.Zero)).GetInt32());
    }

    [Fact]
    public async Task GetResult_CalledAfterTheSentTaskCompleted_ReturnsItsResult()
    {
        await using var worker = await StartWorkerAsync();
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        var sent = await client.Client.SendAsync("tests.add", 40, 2);
        Assert.Equal(42, (await sent.GetAsync(TestTimeouts.Long)).GetInt32());

        var again = client.Client.GetResult(sent.Id);

        Assert.True(again.Ready, $"Expected a handle on a finished task this client sent to be ready; its state is {again.State}.");
        Assert.Equal(42, (await again.GetAsync(TimeSpan.Zero)).GetInt32());
    }

    private Task<InProcessWorker> StartWorkerAsync() =>
        InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.add", (int x, int y) => x + y), o => o.Concurrency = 1);
}
