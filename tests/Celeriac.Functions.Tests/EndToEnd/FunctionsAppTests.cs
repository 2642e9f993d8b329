using System.Net;
using Celeriac.Functions.Tests.Support;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Functions.Tests.EndToEnd;

/// <summary>
/// The seed's walkthrough against the Functions app: Python Celery and the HTTP API on one side, the real worker process
/// (RabbitMQ-triggered execution, Durable Entity records) on the other, with the standalone server's status codes.
/// </summary>
[Collection(FunctionsAppCollection.Name)]
public sealed class FunctionsAppTests : IDisposable
{
    private readonly FunctionsAppFixture _fixture;

    public FunctionsAppTests(FunctionsAppFixture fixture, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(output);
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    private TaskApiClient Api => _fixture.Api;

    private PythonClient Python => _fixture.Python;

    public void Dispose() => _fixture.Log.Detach();

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PythonDelay_Add_GetReturnsFiveAndTheRecordShowsSuccess()
    {
        var id = await Python.DelayAsync(2, 3);

        Assert.False(await Python.ReadyAsync(id), "tasks.add sleeps a second, so it cannot be ready at once");
        var outcome = await Python.GetAsync(id, TestTimeouts.Long);
        Assert.True(outcome.Error is null && outcome.Result?.GetRawText() == "5", $"Python's get() should return 5, got {outcome}");
        var record = await Api.WaitForFinalAsync(id);
        Assert.Equal("SUCCESS", record.State);
        Assert.Equal("5", record.Json.GetProperty("result").GetRawText());
        Assert.StartsWith("celeriac-functions@", record.Json.GetProperty("worker").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PythonSendTask_Fail_RaisesTheDotNetExceptionTypeAndIsAckedOnce()
    {
        var id = await Python.SendTaskAsync("tasks.fail", ["boom"]);

        var outcome = await Python.GetAsync(id, TestTimeouts.Long);
        Assert.True(outcome.Error is { Type: "InvalidOperationException", Message: "boom" }, $"get() should raise InvalidOperationException('boom'), got {outcome}");
        var record = await Api.WaitForFinalAsync(id);
        Assert.Equal("FAILURE", record.State);
        // A task's own failure is a recorded outcome and a normal return: the listener acks, it does not retry.
        await Eventually.WaitAsync(async () => await _fixture.VirtualHost.GetQueueCountsAsync("celery") is { Ready: 0, Unacknowledged: 0 },
            TestTimeouts.Long, "the celery queue to be empty and nothing unacknowledged");
        Assert.DoesNotContain(_fixture.Lines, l => l.Contains("ExecuteTask failed", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_Add_Answers202ThenStatusNeverGoesBackAndEndsAtSuccess()
    {
        var accepted = (await Api.EnqueueAsync("tasks.add", """{"args": [2, 3]}""")).AssertStatus(HttpStatusCode.Accepted);
        var id = accepted.Json.GetProperty("id").GetString()!;
        Assert.Equal($"/api/tasks/{id}", accepted.Headers.Location?.ToString());
        Assert.NotNull(accepted.RetryAfterSeconds);
        Assert.Equal(new Uri(_fixture.Stack.Functions.HttpAddress, $"api/tasks/{id}").ToString(), accepted.Json.GetProperty("statusQueryGetUri").GetString());

        // The entity applies the signal about half a second later: a GET right after the 202 must still know the task.
        var first = await Api.GetAsync(id);
        Assert.True(first.Status == HttpStatusCode.Accepted || first.Status == HttpStatusCode.OK, $"a GET right after the 202 must not be a 404: {first}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("SUCCESS", done.State);
        Assert.Equal("5", done.Json.GetProperty("result").GetRawText());
        Assert.Contains(id, await Api.ListIdsAsync("name=tasks.add&limit=500"));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Enqueue_UnknownTaskOrBadBody_AnswersTheServersProblems()
    {
        (await Api.EnqueueAsync("tasks.nope", """{"args": []}""")).AssertProblem(HttpStatusCode.NotFound, "unknown-task");
        (await Api.EnqueueAsync("tasks.add", """{"args": 5}""")).AssertProblem(HttpStatusCode.BadRequest, "invalid-body");
        (await Api.ListAsync("state=BOGUS")).AssertProblem(HttpStatusCode.BadRequest, "invalid-query");
        (await Api.GetAsync("no-such-task-" + Guid.NewGuid())).AssertProblem(HttpStatusCode.NotFound, "unknown-task-id");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_FinishedTask_Answers409()
    {
        var id = await Api.SendAsync("tasks.noop", "{}");
        await Api.WaitForFinalAsync(id);

        (await Api.RevokeAsync(id)).AssertProblem(HttpStatusCode.Conflict, "task-finished");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_QueuedPythonTask_IsNeverRunAndPythonGetRaisesTaskRevokedError()
    {
        // One invocation at a time per trigger: the add waits behind the sleep.
        var blocker = await Api.SendAsync("tasks.sleep", """{"args": [4]}""");
        await Api.WaitForStateAsync(blocker, "STARTED");
        var id = await Python.DelayAsync(2, 3);

        (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted, "the Python task waits behind the sleep");

        var outcome = await Python.GetAsync(id, TestTimeouts.Long);
        Assert.True(outcome.Error?.Type == "TaskRevokedError", $"Python's get() should raise TaskRevokedError, got {outcome}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("REVOKED", done.State);
        Assert.False(done.Json.GetProperty("timeline").TryGetProperty("started", out _), $"a revoked queued task never starts: {done}");
        Assert.Equal("SUCCESS", (await Api.WaitForFinalAsync(blocker)).State);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PythonRevoke_QueuedTask_ReachesTheNodesPidboxAndTheTaskNeverRuns()
    {
        var blocker = await Api.SendAsync("tasks.sleep", """{"args": [4]}""");
        await Api.WaitForStateAsync(blocker, "STARTED");
        var id = await Python.DelayAsync(2, 3);

        // A broadcast only: no record is written by Python, so the app's control listener is what hears it.
        await Python.RevokeAsync(id);

        var outcome = await Python.GetAsync(id, TestTimeouts.Long);
        Assert.True(outcome.Error?.Type == "TaskRevokedError", $"Python's get() should raise TaskRevokedError, got {outcome}");
        Assert.Equal("REVOKED", (await Api.WaitForFinalAsync(id)).State);
        Assert.Equal("SUCCESS", (await Api.WaitForFinalAsync(blocker)).State);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task PythonRevokeTerminate_RunningTask_StopsTheInvocationAndRecordsRevoked()
    {
        var id = await Python.SendTaskAsync("tasks.sleep", [60]);
        await Api.WaitForStateAsync(id, "STARTED");

        var sent = DateTimeOffset.UtcNow;
        await Python.RevokeAsync(id, terminate: true);

        var outcome = await Python.GetAsync(id, TestTimeouts.Long);
        Assert.True(outcome.Error?.Type == "TaskRevokedError", $"Python's get() should raise TaskRevokedError, got {outcome}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("REVOKED", done.State);
        await PrintTerminateTimingAsync("Python revoke(terminate=True)", id, sent, done);
        Assert.True(done.Json.GetProperty("timeline").TryGetProperty("started", out _), $"the task was running when terminated: {done}");
        // The invocation returned (a revoke is the task's outcome, not an infrastructure failure): nothing is retried.
        await Eventually.WaitAsync(async () => await _fixture.VirtualHost.GetQueueCountsAsync("celery") is { Ready: 0, Unacknowledged: 0 },
            TestTimeouts.Long, "the celery queue to be empty and nothing unacknowledged");
        Assert.DoesNotContain(_fixture.Lines, l => l.Contains("ExecuteTask failed", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task RevokeTerminate_RunningTaskThroughTheApi_Answers202AndEndsRevoked()
    {
        var id = await Api.SendAsync("tasks.sleep", """{"args": [60]}""");
        await Api.WaitForStateAsync(id, "STARTED");

        var sent = DateTimeOffset.UtcNow;
        (await Api.RevokeAsync(id, terminate: true)).AssertStatus(HttpStatusCode.Accepted);

        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("REVOKED", done.State);
        await PrintTerminateTimingAsync("POST /api/tasks/{id}/revoke?terminate=true", id, sent, done);
    }

    /// <summary>
    /// How fast a terminate stops a running invocation, printed (a figure for the README, not an assertion): from just
    /// before the revoke was sent to the REVOKED record's finished time (the worker's clock, on this machine) and to the
    /// emulated listener seeing the invocation return.
    /// </summary>
    private async Task PrintTerminateTimingAsync(string how, string id, DateTimeOffset sent, ApiAnswer revoked)
    {
        var finished = revoked.Json.GetProperty("timeline").GetProperty("finished").GetDateTimeOffset();
        var marker = $"ExecuteTask invocation for {id} ";
        await Eventually.WaitAsync(() => _fixture.TimedLines.Any(l => l.Line.Contains(marker, StringComparison.Ordinal)), TestTimeouts.Long,
            $"the invocation of {id} to end");
        var ended = _fixture.TimedLines.First(l => l.Line.Contains(marker, StringComparison.Ordinal)).At;
        _fixture.Log.WriteLine(FormattableString.Invariant(
            $"TERMINATE TIMING ({how}): REVOKED recorded {(finished - sent).TotalMilliseconds:F0} ms, invocation ended {(ended - sent).TotalMilliseconds:F0} ms after the revoke was sent"));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task OpenApiDocument_DescribesTheSameFourOperationsAsTheServer()
    {
        using var response = await Api.Http.GetAsync("openapi/v1.json");
        var answer = (await ApiAnswer.ReadAsync("GET /openapi/v1.json", response)).AssertStatus(HttpStatusCode.OK);

        Assert.Equal("application/json", answer.ContentType);
        var document = answer.Json;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name} {o.Value.GetProperty("operationId").GetString()}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["GET /api/tasks ListTasks", "GET /api/tasks/{id} GetTask", "POST /api/tasks/{id}/revoke RevokeTask", "POST /api/tasks/{name} EnqueueTask"], operations);
        Assert.True(document.GetProperty("paths").GetProperty("/api/tasks/{name}").GetProperty("post").GetProperty("responses").TryGetProperty("413", out _),
            $"EnqueueTask documents 413 as in the server: {answer}");
    }
}
