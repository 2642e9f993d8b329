using System.Net;
using System.Text.Json;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Api;

/// <summary><c>GET /api/tasks/{id}</c> against <c>celeriac serve</c> with its embedded worker (concurrency 1).</summary>
public sealed class GetTaskTests(WorkerServerFixture fixture, ITestOutputHelper output)
    : ServerTest<WorkerServerFixture>(fixture, output), IClassFixture<WorkerServerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_WithALink_RunsTheLinkedTaskWithTheResultPrependedAsItsChild()
    {
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3], "link": {"task": "tasks.add", "args": [10]}}""");
        Assert.Equal("SUCCESS", (await Api.WaitForFinalAsync(id)).State);

        JsonElement child = default;
        await Eventually.WaitAsync(async () =>
        {
            var page = (await Api.ListAsync("name=tasks.add&limit=500")).AssertStatus(HttpStatusCode.OK).Json;
            child = page.GetProperty("items").EnumerateArray().FirstOrDefault(t => t.TryGetProperty("parentId", out var p) && p.GetString() == id);
            return child.ValueKind == JsonValueKind.Object && child.GetProperty("state").GetString() == "SUCCESS";
        }, TestTimeouts.Long, $"the task linked to {id} to succeed");
        Assert.Equal("[5,10]", child.GetProperty("args").GetRawText());
        Assert.Equal("15", child.GetProperty("result").GetRawText());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_UnknownId_Returns404Problem()
    {
        var id = Guid.NewGuid().ToString();

        (await Api.GetAsync(id)).AssertProblem(HttpStatusCode.NotFound, "unknown-task-id", id);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_RunningTask_Returns202WithRetryAfterAndStarted()
    {
        var id = await StartLongSleepAsync();

        var answer = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.Accepted, "a running task is not final");
        Assert.True(answer.RetryAfterSeconds >= 1, $"expected Retry-After while the task runs, got {answer}");
        var view = answer.Json;
        Assert.Equal("STARTED", view.GetProperty("state").GetString());
        Assert.False(view.GetProperty("final").GetBoolean());
        Assert.Equal(JsonValueKind.String, view.GetProperty("timeline").GetProperty("started").ValueKind);
        Assert.False(string.IsNullOrEmpty(view.GetProperty("worker").GetString()), $"expected the worker's name on a started task, got {answer}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_TaskQueuedBehindRunningTask_Returns202WithRetryAfterUntilItRunsThen200()
    {
        var blocker = await StartLongSleepAsync();
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3]}""");

        var answer = (await Api.GetAsync(id)).AssertStatus(HttpStatusCode.Accepted, "a queued task is not final");
        Assert.True(answer.RetryAfterSeconds >= 1, $"expected Retry-After while the task waits, got {answer}");
        // PENDING while in the queue, RECEIVED once the worker prefetched it; either way it has not started.
        Assert.True(answer.State is "PENDING" or "RECEIVED", $"expected a queued state, got {answer}");
        Assert.False(answer.Json.GetProperty("timeline").TryGetProperty("started", out _), $"a queued task has not started: {answer}");

        (await Api.RevokeAsync(blocker, terminate: true)).AssertStatus(HttpStatusCode.Accepted);
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("SUCCESS", done.State);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_FinishedTask_Returns200WithResultAndNoRetryAfter()
    {
        var id = await Api.SendAsync("tasks.add", """{"args": [2, 3]}""");

        var answer = await Api.WaitForFinalAsync(id);

        Assert.Null(answer.Headers.RetryAfter);
        var view = answer.Json;
        Assert.Equal("SUCCESS", view.GetProperty("state").GetString());
        Assert.Equal("5", view.GetProperty("result").GetRawText());
        Assert.True(view.GetProperty("final").GetBoolean(), $"expected final: true, got {answer}");
        Assert.Equal("tasks.add", view.GetProperty("name").GetString());
        Assert.True(view.GetProperty("runtime").GetDouble() >= 0, $"expected the runtime, got {answer}");
        foreach (var step in new[] { "created", "pending", "received", "started", "finished" })
        {
            Assert.True(view.GetProperty("timeline").TryGetProperty(step, out _), $"expected timeline.{step}, got {answer}");
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_FailedTask_Returns200WithFailureExceptionAndTraceback()
    {
        var id = await Api.SendAsync("tasks.fail", """{"args": ["boom from the API test"]}""");

        var answer = await Api.WaitForFinalAsync(id);

        var view = answer.Json;
        Assert.Equal("FAILURE", view.GetProperty("state").GetString());
        var exception = view.GetProperty("exception");
        Assert.Equal("InvalidOperationException", exception.GetProperty("type").GetString());
        Assert.Equal("boom from the API test", exception.GetProperty("message").GetString());
        var traceback = view.GetProperty("traceback").GetString()!;
        Assert.True(traceback.Contains("InvalidOperationException", StringComparison.Ordinal) && traceback.Contains("Fail", StringComparison.Ordinal),
            $"expected a .NET stack trace through DemoTasks.Fail, got: {traceback}");
        Assert.False(view.TryGetProperty("result", out _), $"a failed task has no result: {answer}");
    }
}
