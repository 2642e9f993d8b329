using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// A task due later than the worker's hold limit is not held unacknowledged: it rests in the broker's delay levels,
/// comes back to its queue when due, and runs then.
/// </summary>
public sealed class EtaDeferralTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task Worker_EtaBeyondTheHoldLimit_AcknowledgesItAtOnceAndRunsItWhenDue()
    {
        var virtualHost = fixture.VirtualHost;
        var ranAt = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await InProcessWorker.StartAsync(virtualHost, output,
            b => b.AddTask("tests.stamp", () => ranAt.TrySetResult(DateTimeOffset.UtcNow)), o => o.EtaHoldLimit = TimeSpan.Zero);
        await using var client = TestClient.Create(virtualHost, output);
        var eta = DateTimeOffset.UtcNow.AddSeconds(3);

        var result = await client.Client.SendAsync("tests.stamp", [], null, new SendOptions { Eta = eta }, CancellationToken.None);

        // 3 s ahead: 2 s in the 2 s level, then the rest in the 1 s level, then run.
        var ran = await ranAt.Task.WaitAsync(TestTimeouts.Long);
        Assert.True(ran >= eta, $"The task ran at {ran:o}, before its ETA {eta:o}.");
        Assert.True((await result.GetAsync(TestTimeouts.Long)).GetBoolean());
        Assert.NotNull(await virtualHost.GetQueueCountsAsync("celeriac.delay.2s"));
        Assert.NotNull(await virtualHost.GetQueueCountsAsync("celeriac.delay.1s"));
    }
}
