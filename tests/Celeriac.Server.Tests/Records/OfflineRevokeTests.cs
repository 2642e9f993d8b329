using System.Net;
using Celeriac.RabbitMQ.Client;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Records;

/// <summary>
/// A revoke made while no worker runs is kept on the task's record and honoured by a worker that starts later:
/// <c>celeriac serve --no-worker</c> takes the revoke, then a <c>celeriac worker</c> on the same data folder and vhost
/// starts. Each test starts (and ends) its own worker, so no worker runs between tests.
/// </summary>
public sealed class OfflineRevokeTests(ApiOnlyServerFixture fixture, ITestOutputHelper output)
    : ServerTest<ApiOnlyServerFixture>(fixture, output), IClassFixture<ApiOnlyServerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_QueuedTaskWhileNoWorkerRuns_WorkerStartedLaterDiscardsIt()
    {
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3]}""");
        var queued = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.Accepted, "no worker runs, so the task stays queued");
        Assert.Equal("PENDING", queued.State);

        var revoke = (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted);
        Assert.Equal("PENDING", revoke.State);
        var control = await Api.SendAsync("tasks.add", """{"args": [20, 22]}""");

        await AssertWorkerDiscardsAsync(id, control);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_UnseenIdWhileNoWorkerRuns_TaskSentAfterwardsIsDiscardedByWorkerStartedLater()
    {
        var id = Guid.NewGuid().ToString();
        (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted, "Celery's revoke accepts any id");

        // The API picks its own ids, so the task comes from a Celery client that was told the id, after the revoke.
        await using (var client = CeleryClient.Create(Fixture.VirtualHost.AmqpUrl))
        {
            await client.SendAsync("tasks.add", [2, 3], kwargs: null, new SendOptions { TaskId = id }, CancellationToken.None);
        }

        var control = await Api.SendAsync("tasks.add", """{"args": [20, 22]}""");

        await AssertWorkerDiscardsAsync(id, control);
    }

    // Starts a worker on the server's data folder and vhost; the revoked task must end REVOKED without running, and the
    // control task sent after it must succeed (so the worker did run what was not revoked, after the revoked one).
    private async Task AssertWorkerDiscardsAsync(string revoked, string control)
    {
        await using var worker = await CeleriacWorkerProcess.StartAsync(Fixture.VirtualHost, Output.WriteLine, concurrency: 1,
            stateDirectory: Fixture.DataDirectory);

        var done = await Api.WaitForFinalAsync(revoked);
        Assert.Equal("REVOKED", done.State);
        Assert.Equal("TaskRevokedError", done.Json.GetProperty("exception").GetProperty("type").GetString());
        Assert.False(done.Json.GetProperty("timeline").TryGetProperty("started", out _), $"a revoked task never starts: {done}");
        Assert.Equal("SUCCESS", (await Api.WaitForFinalAsync(control)).State);
        await worker.WaitForLineAsync($"Discarding revoked task: tasks.add[{revoked}]", TestTimeouts.Short);
        Assert.DoesNotContain(worker.Lines, l => l.Contains($"tasks.add[{revoked}] succeeded", StringComparison.Ordinal));
    }
}
