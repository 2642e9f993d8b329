using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary><c>rate_limit</c> and <c>time_limit</c>: Celery's replies, and the task's settings they change.</summary>
public sealed class TaskLimitCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("10/m", "new rate limit set successfully", 10.0 / 60)]
    [InlineData("5", "new rate limit set successfully", 5.0)]
    [InlineData("0.5/s", "new rate limit set successfully", 0.5)]
    [InlineData("3600/h", "new rate limit set successfully", 1.0)]
    public async Task RateLimit_ValidRate_IsStoredOnTheTaskAndShownByRegistered(string rate, string reply, double perSecond)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));

        await worker.Control.HandleAsync(ControlCommand("rate_limit", new { task_name = "tasks.one", rate_limit = rate }), default);

        Assert.Equal(reply, ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));
        Assert.Equal(perSecond, task.Options.RateLimit!.PerSecond, 6);
        await worker.Control.HandleAsync(ControlCommand("registered"), default);
        Assert.Equal($"tasks.one [rate_limit={rate}]", Assert.Single(ControlReplies.Of(worker).EnumerateArray()).GetString());
    }

    [Fact]
    public async Task RateLimit_None_DisablesTheLimit()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        await worker.Control.HandleAsync(ControlCommand("rate_limit", new { task_name = "tasks.one", rate_limit = "1/s" }), default);

        await worker.Control.HandleAsync(ControlCommand("rate_limit", new { task_name = "tasks.one", rate_limit = (string?)null }), default);

        Assert.Equal("rate limit disabled successfully", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));
        Assert.Null(task.Options.RateLimit);
    }

    [Theory]
    [InlineData("x/y", "KeyError('y')")]
    [InlineData("abc/s", "Invalid rate limit string: ValueError(\"could not convert string to float: 'abc'\")")]
    public async Task RateLimit_BadRate_AnswersCeleryError(string rate, string error)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));

        await worker.Control.HandleAsync(ControlCommand("rate_limit", new { task_name = "tasks.one", rate_limit = rate }), default);

        Assert.Equal(error, ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RateLimitAndTimeLimit_UnknownTask_AnswerUnknownTask()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("rate_limit", new { task_name = "tasks.nope", rate_limit = "1/s" }), default);
        Assert.Equal("unknown task", ControlReplies.Of(worker).GetProperty("error").GetString());
        await worker.Control.HandleAsync(ControlCommand("time_limit", new { task_name = "tasks.nope", soft = 1.0 }), default);
        Assert.Equal("unknown task", ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TimeLimit_SoftAndHard_ReplaceTheTasksLimits()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1, new() { TimeLimit = TimeSpan.FromSeconds(99) }));

        await worker.Control.HandleAsync(ControlCommand("time_limit", new { task_name = "tasks.one", soft = 10.0, hard = 20.5 }), default);

        Assert.Equal("time limits set successfully", ControlReplies.Of(worker).GetProperty("ok").GetString());
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));
        Assert.Equal(TimeSpan.FromSeconds(10), task.Options.SoftTimeLimit);
        Assert.Equal(TimeSpan.FromSeconds(20.5), task.Options.TimeLimit);
        await worker.Control.HandleAsync(ControlCommand("time_limit", new { task_name = "tasks.one", soft = 5.0 }), default);
        Assert.Equal(TimeSpan.FromSeconds(5), task.Options.SoftTimeLimit);
        Assert.Null(task.Options.TimeLimit);
    }

    [Fact]
    public async Task TimeLimit_Changed_AppliesToTheNextRun()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", (CancellationToken token) => gate.ObserveTokenAsync(token)));
        await worker.Control.HandleAsync(ControlCommand("time_limit", new { task_name = "tasks.gate", hard = 1.0 }), default);
        var task = NewTask("tasks.gate");

        var process = worker.Processor.ProcessAsync(worker.Deliver(task.Encode()), default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");
        worker.Time.Advance(TimeSpan.FromSeconds(1));

        await Wait.ForAsync(process, "the task to hit its new hard time limit");
        var failed = Assert.Single(worker.Publisher.Events("task-failed"));
        Assert.Contains("TimeLimitExceeded", failed.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }
}
