using System.Net;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Interop;

/// <summary>
/// Python Celery (Debian's python3-celery, the user's <c>examples/python/tasks.py</c>) sends to the worker that
/// <c>celeriac serve</c> embeds; the HTTP API shows and revokes those tasks.
/// </summary>
public sealed class PythonClientThroughApiTests(PythonClientThroughApiTests.PythonServerFixture fixture, ITestOutputHelper output)
    : ServerTest<PythonClientThroughApiTests.PythonServerFixture>(fixture, output), IClassFixture<PythonClientThroughApiTests.PythonServerFixture>
{
    private PythonClient Python => Fixture.Python;

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Get_TaskSentByPythonDelay_ShowsItsStateAndResult()
    {
        var id = await Python.DelayAsync(2, 3);

        // Python writes no record: the worker creates it when the task arrives, so the API may answer 404 at first.
        var answer = await Api.WaitForFinalAsync(id);

        var view = answer.Json;
        Assert.Equal("SUCCESS", view.GetProperty("state").GetString());
        Assert.Equal("5", view.GetProperty("result").GetRawText());
        Assert.Equal("tasks.add", view.GetProperty("name").GetString());
        Assert.Equal("[2,3]", view.GetProperty("args").GetRawText());
        Assert.False(view.GetProperty("timeline").TryGetProperty("pending", out _), $"no API accepted this task, so it was never PENDING on record: {answer}");
        Assert.Contains(id, await Api.ListIdsAsync($"name=tasks.add&q={id}"));
        var outcome = await Python.GetAsync(id, TestTimeouts.Short);
        Assert.True(outcome.Error is null && outcome.Result?.GetRawText() == "5", $"Python's get() should return 5, got {outcome}");
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Revoke_QueuedTaskSentByPython_StopsItAndPythonGetRaisesTaskRevokedError()
    {
        var blocker = await StartLongSleepAsync();
        var id = await Python.DelayAsync(2, 3);

        (await Api.RevokeAsync(id)).AssertStatus(HttpStatusCode.Accepted, "the Python task waits behind the sleep");
        (await Api.RevokeAsync(blocker, terminate: true)).AssertStatus(HttpStatusCode.Accepted);

        var outcome = await Python.GetAsync(id, TestTimeouts.Short);
        Assert.True(outcome.Error?.Type == "TaskRevokedError", $"Python's get() should raise TaskRevokedError, got {outcome}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("REVOKED", done.State);
        Assert.False(done.Json.GetProperty("timeline").TryGetProperty("started", out _), $"a revoked queued task never starts: {done}");
        Assert.DoesNotContain(Fixture.Server.Process.Lines, l => l.Contains($"tasks.add[{id}] succeeded", StringComparison.Ordinal));
    }

    /// <summary><c>celeriac serve</c> with its worker, and a Python Celery client on the same vhost.</summary>
    public sealed class PythonServerFixture : ServerFixture
    {
        private PythonClient? _python;

        public PythonClient Python => _python ?? throw new InvalidOperationException("The fixture has not started.");

        protected override string VirtualHostPrefix => "server-python";

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            _python = await PythonClient.StartAsync(VirtualHost, Log.WriteLine);
        }

        public override async Task DisposeAsync()
        {
            if (_python is not null)
            {
                await _python.DisposeAsync();
            }

            await base.DisposeAsync();
        }
    }
}
