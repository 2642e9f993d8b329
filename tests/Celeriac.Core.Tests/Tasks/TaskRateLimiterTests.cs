using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Fakes;

namespace Celeriac.Core.Tests.Tasks;

/// <summary>Rates as Celery writes them, and the one-token bucket Celery's consumer keeps per task name.</summary>
public sealed class TaskRateLimiterTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("10/s", 10.0)]
    [InlineData("10", 10.0)]
    [InlineData("100/m", 100.0 / 60)]
    [InlineData("1000/h", 1000.0 / 3600)]
    [InlineData(" 2 /s", 2.0)]
    public void Parse_CeleryRate_IsTasksPerSecond(string text, double perSecond)
    {
        Assert.Equal(perSecond, TaskRateLimit.Parse(text)!.PerSecond, 9);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("0/m")]
    public void Parse_EmptyOrZero_IsNoLimit(string? text) => Assert.Null(TaskRateLimit.Parse(text));

    [Theory]
    [InlineData("10/d", "KeyError('d')")]
    [InlineData("ten/m", "Invalid rate limit string: ValueError(\"could not convert string to float: 'ten'\")")]
    public void Parse_NotARate_FailsWithCelerysMessage(string text, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => TaskRateLimit.Parse(text)).Message);

    [Fact]
    public async Task TryAcquire_TwoPerSecond_LetsOneStartEveryHalfSecond()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1, new() { RateLimit = TaskRateLimit.Parse("2/s") }));
        var limiter = new TaskRateLimiter(worker.Time);
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));

        Assert.True(limiter.TryAcquire(task, out _));
        Assert.False(limiter.TryAcquire(task, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(0.5), wait);
        worker.Time.Advance(TimeSpan.FromSeconds(0.25));
        Assert.False(limiter.TryAcquire(task, out wait));
        Assert.Equal(TimeSpan.FromSeconds(0.25), wait);
        worker.Time.Advance(TimeSpan.FromSeconds(0.25));
        Assert.True(limiter.TryAcquire(task, out _));
    }

    [Fact]
    public async Task TryAcquire_NoLimit_AlwaysAllows()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var limiter = new TaskRateLimiter(worker.Time);
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));

        Assert.All(Enumerable.Range(0, 100), _ => Assert.True(limiter.TryAcquire(task, out var _)));
    }

    [Fact]
    public async Task TryAcquire_LimitChangedByRemoteControl_StartsAFreshBucketAtTheNewRate()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1, new() { RateLimit = TaskRateLimit.Parse("1/h") }));
        var limiter = new TaskRateLimiter(worker.Time);
        Assert.True(worker.Registry.TryGet("tasks.one", out var task));
        Assert.True(limiter.TryAcquire(task, out _));
        Assert.False(limiter.TryAcquire(task, out _));

        await worker.Control.HandleAsync(TestMessages.ControlCommand("rate_limit", new { task_name = "tasks.one", rate_limit = "10/s" }), default);

        Assert.True(limiter.TryAcquire(task, out _));
        Assert.False(limiter.TryAcquire(task, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(0.1), wait);
    }
}
