using System.Net;
using System.Text.Json;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, retries: plain Python Celery sends <c>tasks.flaky(fail_times)</c>, which Celeriac's worker retries
/// automatically (backoff 1 s, 2 s, 4 s with jitter, at most 3 retries); the caller's <c>get()</c> sees the outcome,
/// monitors see <c>task-retried</c>, and the task's record shows RETRY.
/// </summary>
public sealed class RetryInteropTests : IClassFixture<RetryInteropFixture>, IAsyncLifetime
{
    // Three retries wait at most 1 + 2 + 4 s; the rest is the machine.
    private static readonly TimeSpan s_retriesDone = TimeSpan.FromSeconds(60);

    private readonly RetryInteropFixture _fixture;

    public RetryInteropTests(RetryInteropFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    private PythonClient Python => _fixture.Python;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SendTask_FlakyFailingTwice_SucceedsAfterTwoRetriesWithRetryInItsRecord()
    {
        var id = await Python.SendTaskAsync("tasks.flaky", [2]);

        var outcome = await Python.GetAsync(id, s_retriesDone);

        Assert.Null(outcome.Error);
        Assert.Equal(3, outcome.Result?.GetInt32());
        Assert.Equal("SUCCESS", await Python.StateAsync(id));
        Assert.Equal(
            ["task-received", "task-started", "task-retried", "task-received", "task-started", "task-retried", "task-received", "task-started",
                "task-succeeded"],
            await EventTypesAsync(_fixture.Events, id, "task-succeeded"));
        var retried = await _fixture.Events.WaitForAsync("task-retried", id);
        Assert.Equal("FlakyException('attempt 1 of 2 failing')", retried.GetProperty("exception").GetString());
        Assert.Contains("Celeriac.Demo.FlakyException: attempt 1 of 2 failing", retried.GetProperty("traceback").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("celeriac@", retried.GetProperty("hostname").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, retried.GetProperty("timestamp").ValueKind);

        var record = await GetRecordAsync(id);
        Assert.Equal(("SUCCESS", 2), (record.GetProperty("state").GetString(), record.GetProperty("retries").GetInt32()));
        Assert.Equal(JsonValueKind.String, record.GetProperty("timeline").GetProperty("retried").ValueKind);
        Assert.Equal("3", record.GetProperty("result").GetRawText());
        await _fixture.Server.Process.WaitForLineAsync($"Task tasks.flaky[{id}] retry: Retry in ", TestTimeouts.Short);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task SendTask_FlakyPastMaxRetries_FailsWithTheOriginalExceptionAfterThreeRetries()
    {
        var id = await Python.SendTaskAsync("tasks.flaky", [], new Dictionary<string, object?> { ["fail_times"] = 5 });

        var outcome = await Python.GetAsync(id, s_retriesDone);

        Assert.Null(outcome.Result);
        Assert.Equal(("FlakyException", "attempt 4 of 5 failing"), (outcome.Error!.Type, outcome.Error.Message));
        Assert.Equal("FAILURE", await Python.StateAsync(id));
        var types = await EventTypesAsync(_fixture.Events, id, "task-failed");
        Assert.Equal(3, types.Count(t => t == "task-retried"));
        Assert.Equal("task-failed", types[^1]);

        var record = await GetRecordAsync(id);
        Assert.Equal(("FAILURE", 3), (record.GetProperty("state").GetString(), record.GetProperty("retries").GetInt32()));
        Assert.Equal("FlakyException", record.GetProperty("exception").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.String, record.GetProperty("timeline").GetProperty("retried").ValueKind);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task TaskRetriedEvent_SameFieldsAsARealCeleryWorkersAndTheSameOutcome()
    {
        var id = await Python.SendTaskAsync("tasks.flaky", [1]);
        Assert.Equal(2, (await Python.GetAsync(id, s_retriesDone)).Result?.GetInt32());
        var celeriac = await _fixture.Events.WaitForAsync("task-retried", id);

        // The same task (Python/worker_tasks.py: autoretry_for, retry_backoff=1) on Celery's own worker, on a vhost of its own.
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("interop-retry-py");
        await using var events = await TaskEventWatcher.StartAsync(vhost, _fixture.Log.WriteLine);
        await using var worker = await WorkerNode.StartPythonAsync(vhost, _fixture.Log.WriteLine);
        await using var python = await PythonClient.StartAsync(vhost, _fixture.Log.WriteLine);
        var pyId = await python.SendTaskAsync("tasks.flaky", [1]);
        Assert.Equal(2, (await python.GetAsync(pyId, s_retriesDone)).Result?.GetInt32());
        var celery = await events.WaitForAsync("task-retried", pyId);

        Assert.Equal(Fields(celery), Fields(celeriac));
        Assert.Equal("FlakyException('attempt 1 of 1 failing')", celery.GetProperty("exception").GetString());
        Assert.Equal(celery.GetProperty("exception").GetString(), celeriac.GetProperty("exception").GetString());
        // The same events, though not always in the same order: Celery's task republishes itself before its worker sends
        // task-retried, so the retry's task-received may come first; Celeriac reports the retry before it republishes.
        Assert.Equal((await EventTypesAsync(events, pyId, "task-succeeded")).Order(StringComparer.Ordinal),
            (await EventTypesAsync(_fixture.Events, id, "task-succeeded")).Order(StringComparer.Ordinal));
    }

    private static string[] Fields(JsonElement celeryEvent) => celeryEvent.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The task's event types once its last one arrived (events come on their own connection, maybe after get() returned).</summary>
    private static async Task<IReadOnlyList<string>> EventTypesAsync(TaskEventWatcher events, string id, string last)
    {
        await events.WaitForAsync(last, id);
        return events.TypesFor(id);
    }

    private async Task<JsonElement> GetRecordAsync(string id)
    {
        using var http = _fixture.Server.CreateClient();
        JsonElement record = default;
        // The record's final write lands before the ack and the result, so it is there once get() returned; polled anyway
        // in case the API's reader lags behind its writer.
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri($"api/tasks/{id}", UriKind.Relative));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            record = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return record.GetProperty("state").GetString() is "SUCCESS" or "FAILURE";
        }, TestTimeouts.Short, $"the record of task {id} to be final");
        return record;
    }
}
