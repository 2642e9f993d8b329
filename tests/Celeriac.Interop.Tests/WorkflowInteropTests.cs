using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Interop.Tests.Support;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, workflows: Python Celery 5.2.6 (rpc:// backend) sends chains, <c>link=</c> and <c>link_error=</c>, and
/// <c>celeriac worker</c> sends what follows each task as Celery's worker does, with the ids, parents and roots right.
/// </summary>
public sealed class WorkflowInteropTests : IClassFixture<PythonClientToCeleriacWorkerFixture>, IAsyncLifetime
{
    private readonly PythonClientToCeleriacWorkerFixture _fixture;

    public WorkflowInteropTests(PythonClientToCeleriacWorkerFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        fixture.Log.Attach(output.WriteLine);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fixture.Log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chain_TwoSteps_GetReturnsEightAndTheSecondStepNamesTheFirstAsParentAndRoot()
    {
        var (id, parents) = await _fixture.Python.ApplyCanvasAsync("(add.s(2, 2) | add.s(4))");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Short);

        Assert.Null(outcome.Error);
        Assert.Equal(8, outcome.Result?.GetInt32());
        var first = Assert.Single(parents);
        var received = await _fixture.Events.WaitForAsync("task-received", id);
        Assert.Equal(first, received.GetProperty("parent_id").GetString());
        Assert.Equal(first, received.GetProperty("root_id").GetString());
        Assert.Equal("(4, 4)", received.GetProperty("args").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chain_ThreeSteps_GetReturnsSixteenAndEveryStepHasTheSameRoot()
    {
        var (id, parents) = await _fixture.Python.ApplyCanvasAsync("add.s(2, 2) | add.s(4) | add.s(8)");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Long);

        Assert.Null(outcome.Error);
        Assert.Equal(16, outcome.Result?.GetInt32());
        Assert.Equal(2, parents.Length);
        var (second, first) = (parents[0], parents[1]);
        var last = await _fixture.Events.WaitForAsync("task-received", id);
        var middle = await _fixture.Events.WaitForAsync("task-received", second);
        var start = await _fixture.Events.WaitForAsync("task-received", first);
        Assert.Equal(second, last.GetProperty("parent_id").GetString());
        Assert.Equal(first, middle.GetProperty("parent_id").GetString());
        Assert.Equal(JsonValueKind.Null, start.GetProperty("parent_id").ValueKind);
        Assert.All(new[] { last, middle, start }, e => Assert.Equal(first, e.GetProperty("root_id").GetString()));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Link_Callback_RunsWithTheResultPrepended()
    {
        var (id, links, _) = await _fixture.Python.SendLinkedAsync("tasks.add", [1, 1], link: ["add.s(10)"]);

        var callback = await _fixture.Python.GetAsync(Assert.Single(links), TestTimeouts.Short);

        Assert.Null(callback.Error);
        Assert.Equal(12, callback.Result?.GetInt32());
        var received = await _fixture.Events.WaitForAsync("task-received", links[0]);
        Assert.Equal(id, received.GetProperty("parent_id").GetString());
        Assert.Equal(id, received.GetProperty("root_id").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Link_CallbackNotFrozen_RunsOnTheWorkerAsAChildOfTheTask()
    {
        // The callback as Celery users write it: no id, no reply queue. It runs all the same, as a child of the task.
        var n = Random.Shared.Next(100_000, 999_999);
        var id = await _fixture.Python.SendTaskWithOptionsAsync("tasks.add", [1, 1],
            new Dictionary<string, object?> { ["link"] = Signature("tasks.add", n) });

        var pattern = new Regex($@"Task tasks\.add\[(?<id>[0-9a-f-]+)\] succeeded in \d+\.\d+s: {n + 2}$");
        var line = await _fixture.Worker.WaitForLogAsync(pattern);

        var callbackId = pattern.Match(line).Groups["id"].Value;
        Assert.NotEqual(id, callbackId);
        var received = await _fixture.Events.WaitForAsync("task-received", callbackId);
        Assert.Equal(id, received.GetProperty("parent_id").GetString());
        Assert.Equal($"(2, {n})", received.GetProperty("args").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task LinkError_FailingTask_RunsTheErrbackWithTheFailedTaskId()
    {
        var (id, _, errbacks) = await _fixture.Python.SendLinkedAsync("tasks.fail", ["boom"], linkError: ["s('tasks.echo')"]);

        var failed = await _fixture.Python.GetAsync(id, TestTimeouts.Short);
        var errback = await _fixture.Python.GetAsync(Assert.Single(errbacks), TestTimeouts.Short);

        Assert.Equal("InvalidOperationException", failed.Error?.Type);
        Assert.Null(errback.Error);
        Assert.Equal(id, errback.Result!.Value.GetProperty("args")[0].GetString());
        var received = await _fixture.Events.WaitForAsync("task-received", errbacks[0]);
        Assert.Equal(id, received.GetProperty("parent_id").GetString());
        Assert.Equal(id, received.GetProperty("root_id").GetString());
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Chain_FirstStepFails_TheLastStepReportsTheFailure()
    {
        // Celery's worker stores the failure under every later step's id, so waiting on the chain raises instead of hanging.
        var (id, _) = await _fixture.Python.ApplyCanvasAsync("s('tasks.fail', 'early') | add.s(4)");

        var outcome = await _fixture.Python.GetAsync(id, TestTimeouts.Short);

        Assert.Equal("InvalidOperationException", outcome.Error?.Type);
        Assert.Contains("early", outcome.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("task-received", _fixture.Events.TypesFor(id));
    }

    private static Dictionary<string, object?> Signature(string task, params object[] args) => new()
    {
        ["task"] = task, ["args"] = args, ["kwargs"] = new Dictionary<string, object?>(), ["options"] = new Dictionary<string, object?>(),
        ["subtask_type"] = null, ["immutable"] = false,
    };
}
