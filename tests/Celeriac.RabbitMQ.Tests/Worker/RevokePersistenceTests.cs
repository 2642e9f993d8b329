using Celeriac.Core.States;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// Revoked ids survive a worker restart (what Celery needs <c>--statedb</c> for; Celeriac does it by default): a
/// worker restarted with the same node name and state directory still discards the task and still lists the id.
/// </summary>
public sealed class RevokePersistenceTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task Revoke_ThenRestartWithSameNodeAndStateDir_TaskDiscardedNeverRun()
    {
        var node = Nodes.New("durable");
        var stateDirectory = Directory.CreateTempSubdirectory("celeriac-revokes-").FullName;
        try
        {
            await using var client = TestClient.Create(fixture.VirtualHost, output);
            await using var events = await client.SubscribeAsync();
            var id = await RevokeOnStoppedWorkerAsync(client, node, stateDirectory);
            await using var second = await CommandLineWorker.StartAsync(fixture.VirtualHost, output, node, stateDirectory: stateDirectory);

            var result = await client.Client.SendAsync("tasks.add", [2, 3], null, new SendOptions { TaskId = id }, CancellationToken.None);

            var error = await Assert.ThrowsAsync<TaskRevokedException>(() => result.GetAsync(TestTimeouts.Long));
            Assert.Equal("revoked", error.Reason);
            Assert.Equal(TaskState.Revoked, result.State);
            await second.WaitForLineAsync($"Discarding revoked task: tasks.add[{id}]", TestTimeouts.Short);
            var revoked = await events.WaitForAsync("task-revoked", node, id);
            Assert.False(revoked.GetProperty("terminated").GetBoolean());
            Assert.False(revoked.GetProperty("expired").GetBoolean());
            Assert.Empty(events.Find("task-started", node, id));
            Assert.DoesNotContain(second.Lines, l => l.Contains($"tasks.add[{id}] succeeded", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task InspectRevoked_AfterRestartWithSameNodeAndStateDir_ListsTheRevokedId()
    {
        var node = Nodes.New("listing");
        var stateDirectory = Directory.CreateTempSubdirectory("celeriac-revokes-").FullName;
        try
        {
            await using var client = TestClient.Create(fixture.VirtualHost, output);
            var id = await RevokeOnStoppedWorkerAsync(client, node, stateDirectory);
            await using var second = await CommandLineWorker.StartAsync(fixture.VirtualHost, output, node, stateDirectory: stateDirectory);

            var revoked = await client.AskAsync(node, "revoked");

            Assert.True(revoked.EnumerateArray().Any(e => e.GetString() == id), $"Expected the restarted {node} to list {id} as revoked; it lists {revoked}.");
        }
        finally
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    /// <summary>Starts a worker, revokes a new id through it, stops it warmly; returns the id.</summary>
    private async Task<string> RevokeOnStoppedWorkerAsync(TestClient client, string node, string stateDirectory)
    {
        var id = Guid.NewGuid().ToString();
        await using var first = await CommandLineWorker.StartAsync(fixture.VirtualHost, output, node, stateDirectory: stateDirectory);
        await client.Control.RevokeAsync(id);
        await first.WaitForLineAsync($"Tasks flagged as revoked: {id}", TestTimeouts.Short);
        first.Signal(15);
        await CommandLineWorker.AssertExitsZeroAsync(first);
        return id;
    }
}
