using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// Whether a failed run is retried, and when, as Celery's <c>Task.retry</c> and <c>autoretry_for</c> decide it; and the
/// message that retries it.
/// </summary>
public sealed class RetryPlannerTests
{
    private static readonly DateTimeOffset s_now = FakeTimeProvider.DefaultStart;
    private static readonly RetryPolicy s_autoTimeouts = new() { AutoRetryFor = [typeof(TimeoutException)] };

    [Fact]
    public void Decide_ExceptionNotListed_IsNoRetry()
    {
        Assert.Null(Decide(Thrown(new InvalidOperationException("no")), retries: 0, s_autoTimeouts));
        Assert.Null(Decide(Thrown(new TimeoutException("t")), retries: 0, RetryPolicy.Default));
    }

    [Fact]
    public void Decide_ListedException_RetriesAfterTheDefaultDelayWithItsReason()
    {
        var decision = Decide(Thrown(new TimeoutException("slow")), retries: 0, s_autoTimeouts);

        var retry = decision!.Retry!;
        Assert.Null(decision.GiveUp);
        Assert.Equal(1, retry.Retries);
        Assert.Equal(s_now + TimeSpan.FromSeconds(180), retry.Eta);
        Assert.Equal(TimeSpan.FromSeconds(180), retry.Countdown);
        Assert.Equal(("TimeoutException", "slow", "System"), (retry.Error!.Type, retry.Error.Message, retry.Error.Module));
        Assert.Contains("System.TimeoutException: slow", retry.Traceback, StringComparison.Ordinal);
        Assert.Equal("Retry in 180s: TimeoutException('slow')", retry.Describe());
    }

    [Fact]
    public void Decide_DerivedFromAListedType_Retries()
    {
        var policy = new RetryPolicy { AutoRetryFor = [typeof(SystemException)] };

        Assert.NotNull(Decide(Thrown(new TimeoutException("t")), retries: 0, policy)?.Retry);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    public void Decide_ListedExceptionWithBackoff_WaitsBaseTimesTwoToTheRetries(int retries, int seconds)
    {
        var policy = s_autoTimeouts with { Backoff = TimeSpan.FromSeconds(1), Jitter = false };

        var retry = Decide(Thrown(new TimeoutException("t")), retries, policy)!.Retry!;

        Assert.Equal(s_now + TimeSpan.FromSeconds(seconds), retry.Eta);
        Assert.Equal(retries + 1, retry.Retries);
    }

    [Fact]
    public void Decide_BackoffWithJitter_DrawsFromTheRandomSource()
    {
        var policy = s_autoTimeouts with { Backoff = TimeSpan.FromSeconds(2), BackoffMax = TimeSpan.FromSeconds(5) };

        var retry = Decide(Thrown(new TimeoutException("t")), retries: 2, policy, new FixedRandom(3))!.Retry!;

        Assert.Equal(s_now + TimeSpan.FromSeconds(3), retry.Eta);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(5, 3)]
    [InlineData(0, 0)]
    public void Decide_ListedExceptionPastTheMaximum_FailsWithTheOriginalException(int retries, int maximum)
    {
        var decision = Decide(Thrown(new TimeoutException("slow")), retries, s_autoTimeouts with { MaxRetries = maximum });

        Assert.Null(decision!.Retry);
        var failure = decision.GiveUp!;
        Assert.Equal(TaskState.Failure, failure.State);
        Assert.Equal(("TimeoutException", "slow"), (failure.Error!.Type, failure.Error.Message));
        Assert.Contains("System.TimeoutException: slow", failure.Traceback, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), failure.Runtime);
    }

    [Fact]
    public void Decide_NoMaximum_RetriesForever()
    {
        Assert.NotNull(Decide(Thrown(new TimeoutException("t")), retries: 1000, s_autoTimeouts with { MaxRetries = null })!.Retry);
    }

    [Fact]
    public void Decide_AskedWithCountdown_RetriesThenWithTheReason()
    {
        var retry = Decide(Asked(new TimeoutException("later"), countdown: TimeSpan.FromSeconds(5)), retries: 1, RetryPolicy.Default)!.Retry!;

        Assert.Equal((2, s_now + TimeSpan.FromSeconds(5)), (retry.Retries, retry.Eta));
        Assert.Equal("TimeoutException", retry.Error!.Type);
        Assert.Equal("Retry in 5s: TimeoutException('later')", retry.Describe());
    }

    [Fact]
    public void Decide_AskedWithoutAnything_WaitsTheDefaultDelayWithNoReason()
    {
        var retry = Decide(Asked(), retries: 0, RetryPolicy.Default with { DefaultRetryDelay = TimeSpan.FromSeconds(30) })!.Retry!;

        Assert.Equal(s_now + TimeSpan.FromSeconds(30), retry.Eta);
        Assert.Null(retry.Error);
        Assert.Contains("TaskRetryException", retry.Traceback, StringComparison.Ordinal);
        Assert.Equal("Retry in 30s", retry.Describe());
    }

    [Fact]
    public void Decide_AskedWithEta_RunsThen()
    {
        var eta = s_now.AddHours(2);

        var retry = Decide(Asked(eta: eta), retries: 0, RetryPolicy.Default)!.Retry!;

        Assert.Equal(eta, retry.Eta);
        Assert.Null(retry.Countdown);
        Assert.Equal($"Retry at {CeleryTime.Format(eta)}", retry.Describe());
    }

    [Fact]
    public void Decide_AskedWithEtaAndCountdown_TheCountdownWinsAsInApplyAsync()
    {
        var retry = Decide(Asked(countdown: TimeSpan.FromSeconds(7), eta: s_now.AddHours(2)), retries: 0, RetryPolicy.Default)!.Retry!;

        Assert.Equal(s_now + TimeSpan.FromSeconds(7), retry.Eta);
    }

    [Fact]
    public void Decide_AskedWithZeroCountdown_RunsAtOnceWithoutEta()
    {
        var retry = Decide(Asked(countdown: TimeSpan.Zero), retries: 0, RetryPolicy.Default)!.Retry!;

        Assert.Null(retry.Eta);
        Assert.Equal("Retry in 0s", retry.Describe());
    }

    [Fact]
    public void Decide_AskedTakesPrecedenceOverAutomaticRetry()
    {
        var policy = new RetryPolicy { AutoRetryFor = [typeof(Exception)], Backoff = TimeSpan.FromSeconds(100), Jitter = false };

        var retry = Decide(Asked(countdown: TimeSpan.FromSeconds(9)), retries: 0, policy)!.Retry!;

        Assert.Equal(s_now + TimeSpan.FromSeconds(9), retry.Eta);
    }

    [Fact]
    public void Decide_AskedWithoutReasonPastTheMaximum_FailsWithMaxRetriesExceededError()
    {
        var message = NewTask("tasks.x", "[1]") with { Retries = 3 };

        var failure = RetryPlanner.Decide(End(Asked()), message, RetryPolicy.Default, s_now, new FixedRandom(0))!.GiveUp!;

        Assert.Equal(("MaxRetriesExceededError", "celery.exceptions"), (failure.Error!.Type, failure.Error.Module));
        Assert.Equal($"Can't retry tasks.x[{message.Id}] args:(1,) kwargs:{{}}", failure.Error.Message);
    }

    [Fact]
    public void Decide_AskedWithReasonPastTheMaximum_FailsWithTheReason()
    {
        var failure = Decide(Asked(new TimeoutException("gone")), retries: 3, RetryPolicy.Default)!.GiveUp!;

        Assert.Equal(("TimeoutException", "gone"), (failure.Error!.Type, failure.Error.Message));
    }

    [Theory]
    [InlineData(4, 5, true)]
    [InlineData(5, 5, false)]
    [InlineData(0, 0, false)]
    [InlineData(10, null, true)] // null: the task's maximum (none here)
    public void Decide_AskedWithItsOwnMaximum_OverridesTheTasks(int retries, int? maximum, bool retried)
    {
        var decision = Decide(Asked(maxRetries: maximum), retries, RetryPolicy.Default with { MaxRetries = null })!;

        Assert.Equal(retried, decision.Retry is not null);
    }

    [Fact]
    public void Republish_KeepsTheTaskWithOneMoreRetryAndTheNewEta()
    {
        var message = NewTask("tasks.x", "[1, 2]", """{"k": "v"}""") with { Retries = 1, ReplyTo = "reply-q", Expires = s_now.AddDays(1) };
        var retry = new TaskRetry(2, s_now.AddSeconds(4), TimeSpan.FromSeconds(4), null, null);
        var delivery = Delivered("celery", exchange: "tasks-x", routingKey: "rk");

        var outgoing = RetryPlanner.Republish(message, retry, delivery);

        Assert.Equal(("tasks-x", "rk", true), (outgoing.Exchange, outgoing.RoutingKey, outgoing.RequiresConfirmation));
        var decoded = TaskMessageCodec.Decode(outgoing.Message);
        Assert.Equal((message.Id, "tasks.x", 2, s_now.AddSeconds(4)), (decoded.Id, decoded.Name, decoded.Retries, decoded.Eta));
        Assert.Equal(("reply-q", message.Expires), (decoded.ReplyTo, decoded.Expires));
        Assert.Equal("[1,2]", JsonSerializer.Serialize(decoded.Args));
        Assert.Equal("""{"k":"v"}""", JsonSerializer.Serialize(decoded.Kwargs));
    }

    [Fact]
    public void Republish_DeliveryWithoutExchangeOrRoutingKey_GoesToItsQueue()
    {
        var outgoing = RetryPlanner.Republish(NewTask("tasks.x"), new TaskRetry(1, null, null, null, null), Delivered("shop"));

        Assert.Equal(("", "shop"), (outgoing.Exchange, outgoing.RoutingKey));
        Assert.Null(TaskMessageCodec.Decode(outgoing.Message).Eta);
    }

    private static RetryDecision? Decide(Exception error, int retries, RetryPolicy policy, Random? random = null) =>
        RetryPlanner.Decide(End(error), NewTask("tasks.x") with { Retries = retries }, policy, s_now, random ?? new FixedRandom(0));

    private static RunEnd End(Exception error) => new(default, error, null, TimeSpan.FromSeconds(2));

    private static TaskRetryException Asked(Exception? reason = null, TimeSpan? countdown = null, DateTimeOffset? eta = null, int? maxRetries = null) =>
        Thrown(new TaskRetryException(reason, countdown, eta, maxRetries));

    // Thrown, so it has a stack trace as a task's exception has.
    private static T Thrown<T>(T error) where T : Exception
    {
        try
        {
            throw error;
        }
        catch (T caught)
        {
            return caught;
        }
    }

    private static Delivery Delivered(string queue, string exchange = "", string routingKey = "") => new()
    {
        Message = NewTask("tasks.x").Encode(),
        Handle = new RecordingDeliveryHandle(new EventLog()),
        Queue = queue,
        Exchange = exchange,
        RoutingKey = routingKey,
    };

    private sealed class FixedRandom(long value) : Random
    {
        public override long NextInt64(long maxValue) => Math.Min(value, maxValue - 1);
    }
}
