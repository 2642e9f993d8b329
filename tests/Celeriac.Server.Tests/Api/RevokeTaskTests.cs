using System.Diagnostics;
using System.Net;
using Celeriac.Server.Tests.Support;

namespace Celeriac.Server.Tests.Api;

/// <summary><c>POST /api/tasks/{id}/revoke[?terminate=true]</c> against <c>celeriac serve</c> with its embedded worker (concurrency 1).</summary>
public sealed class RevokeTaskTests(WorkerServerFixture fixture, ITestOutputHelper output)
    : ServerTest<WorkerServerFixture>(fixture, output), IClassFixture<WorkerServerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_QueuedTask_Returns202AndTheTaskNeverRuns()
    {
        var blocker = await StartLongSleepAsync();
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3]}""");
        var from = Fixture.Server.Process.Lines.Count;

        var answer = (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted);
        Assert.Equal(id, answer.Json.GetProperty("id").GetString());
        Assert.False(answer.Json.GetProperty("revoke").GetProperty("terminate").GetBoolean(), $"expected a plain revoke, got {answer}");
        (await Api.RevokeAsync(blocker, terminate: true)).AssertStatus(HttpStatusCode.Accepted);

        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("REVOKED", done.State);
        Assert.Equal("TaskRevokedError", done.Json.GetProperty("exception").GetProperty("type").GetString());
        Assert.False(done.Json.GetProperty("timeline").TryGetProperty("started", out _), $"a revoked queued task never starts: {done}");
        await Fixture.Server.Process.WaitForLineAsync($"Discarding revoked task: tasks.add[{id}]", TestTimeouts.Short, from);
        Assert.DoesNotContain(Fixture.Server.Process.Lines, l => l.Contains($"tasks.add[{id}] succeeded", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_IdNotSeenYet_Returns202AndKeepsTheRevokeForTheTask()
    {
        var id = Guid.NewGuid().ToString();

        var answer = (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted, "Celery's revoke accepts any id");

        Assert.Equal(id, answer.Json.GetProperty("id").GetString());
        Assert.Equal($"/api/tasks/{id}", answer.Headers.Location?.OriginalString);
        // Not PENDING: no task with this id was ever seen, so a poller must not wait for it; the problem says a revoke is kept.
        var unknown = (await Api.GetAsync(id)).AssertProblem(HttpStatusCode.NotFound, "unknown-task-id", "A revoke for it is on record");
        Assert.True(unknown.TryGetProperty("revoke", out _), $"expected the revoke in the problem: {unknown}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_RunningTaskWithTerminate_Returns202AndStopsItLongBeforeItWouldEnd()
    {
        var id = await StartLongSleepAsync();
        var clock = Stopwatch.StartNew();

        var answer = (await Api.RevokeAsync(id, terminate: true)).AssertStatus(HttpStatusCode.Accepted);
        Assert.True(answer.Json.GetProperty("revoke").GetProperty("terminate").GetBoolean(), $"expected a terminate revoke, got {answer}");

        var done = await Api.WaitForFinalAsync(id, TestTimeouts.Short);
        clock.Stop();
        Assert.Equal("REVOKED", done.State);
        var exception = done.Json.GetProperty("exception");
        Assert.Equal("TaskRevokedError", exception.GetProperty("type").GetString());
        Assert.Equal("terminated", exception.GetProperty("message").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the 30 s sleep should stop at once, it took {clock.Elapsed.TotalSeconds:0.0}s");

        // Revoked is final: a second revoke changes nothing.
        (await Api.RevokeAsync(id)).AssertProblem(HttpStatusCode.Conflict, "task-finished", "REVOKED");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Revoke_FinishedTask_Returns409WithTheFinalStateAndChangesNothing(bool terminate)
    {
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3]}""");
        var before = await Api.WaitForFinalAsync(id);

        var problem = (await Api.RevokeAsync(id, terminate)).AssertProblem(HttpStatusCode.Conflict, "task-finished", "SUCCESS");

        Assert.Equal("SUCCESS", problem.GetProperty("state").GetString());
        var after = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.OK);
        Assert.True(before.Text == after.Text, $"a revoke of a finished task must change nothing; before: {before.Text}\nafter: {after.Text}");
    }
}
