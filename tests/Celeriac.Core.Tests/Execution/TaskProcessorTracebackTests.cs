using Celeriac.Core.Execution;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>WorkerOptions.TracebackDetail decides how much of a failed task's stack trace its result and event carry.</summary>
public sealed class TaskProcessorTracebackTests(ITestOutputHelper output)
{
    private const string Frame = "at Celeriac.Core.Tests.Execution.Thrower.Boom(Int32 x)";

    [Fact]
    public async Task ProcessAsync_FullDetail_FramesKeepTheirSourceFileAndLine()
    {
        var traceback = await FailAsync(TracebackDetail.Full);

        Assert.Contains(Frame + " in ", traceback, StringComparison.Ordinal);
        Assert.Matches(@"\.cs:line \d+", traceback);
    }

    [Fact]
    public async Task ProcessAsync_DefaultDetail_FramesWithoutSourcePaths()
    {
        Assert.Equal(TracebackDetail.NoSourcePaths, new WorkerOptions().TracebackDetail);

        var traceback = await FailAsync(null);

        Assert.Contains("BoomException: boom 7", traceback, StringComparison.Ordinal);
        Assert.Contains(Frame, traceback, StringComparison.Ordinal);
        Assert.DoesNotContain(":line ", traceback, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs", traceback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessAsync_NoDetail_NoTracebackButTheError()
    {
        var traceback = await FailAsync(TracebackDetail.None);

        Assert.Null(traceback);
    }

    private async Task<string?> FailAsync(TracebackDetail? detail)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.boom", (Func<int, int>)Thrower.Boom),
            o => o.TracebackDetail = detail ?? o.TracebackDetail);

        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.boom", "[7]").Encode()));

        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal(TaskState.Failure, result.State);
        Assert.Equal("BoomException", result.Error!.Type);
        var failed = Assert.Single(worker.Publisher.Events("task-failed"));
        Assert.Equal(result.Traceback, failed.TryGetProperty("traceback", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String ? t.GetString() : null);
        return result.Traceback;
    }
}
