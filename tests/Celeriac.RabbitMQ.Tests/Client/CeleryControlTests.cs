using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Client;

/// <summary>Remote control through the pidbox: commands reach the nodes they name and no others.</summary>
public sealed class CeleryControlTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task BroadcastAsync_WithDestination_OnlyThatNodeHandlesIt()
    {
        await using var one = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.noop", () => { }), hostname: Nodes.New("one"));
        await using var other = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.noop", () => { }), hostname: Nodes.New("other"));
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        var id = Guid.NewGuid().ToString();

        var replies = await client.Control.BroadcastAsync("revoke", new Dictionary<string, object?> { ["task_id"] = id }, reply: true,
            TestTimeouts.Short, [one.Hostname]);

        Assert.Equal([one.Hostname], replies.Keys);
        Assert.Equal($"tasks {id} flagged as revoked", replies[one.Hostname].GetProperty("ok").GetString());
        // Both listen (a ping without destination reaches both), but only the addressed one took the revoke.
        var pongs = await client.Control.PingAsync(TimeSpan.FromSeconds(3));
        Assert.True(pongs.ContainsKey(one.Hostname) && pongs.ContainsKey(other.Hostname),
            $"Expected both workers to answer a broadcast ping; answers came from [{string.Join(", ", pongs.Keys)}].");
        Assert.Contains(id, (await client.AskAsync(one.Hostname, "revoked")).EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(id, (await client.AskAsync(other.Hostname, "revoked")).EnumerateArray().Select(e => e.GetString()));
    }
}
