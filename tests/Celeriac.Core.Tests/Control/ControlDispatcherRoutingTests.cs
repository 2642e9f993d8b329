using Celeriac.Core.Control;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary>Which commands a node answers, and when it stays quiet.</summary>
public sealed class ControlDispatcherRoutingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null, null, null, true)]
    [InlineData(new string[0], null, null, true)]
    [InlineData(new[] { "w1@vm" }, null, null, true)]
    [InlineData(new[] { "w2@vm", "w1@vm" }, null, null, true)]
    [InlineData(new[] { "w2@vm" }, null, null, false)]
    [InlineData(new[] { "w2@vm" }, "w1@*", "glob", false)]
    [InlineData(null, "w1@*", "glob", true)]
    [InlineData(null, "w?@vm", "glob", true)]
    [InlineData(null, "*@vm", "glob", true)]
    [InlineData(null, "w1.vm", "glob", false)]
    [InlineData(null, "w2@*", "glob", false)]
    [InlineData(null, "W1@VM", "glob", false)]
    [InlineData(null, @"^w\d@vm$", "pcre", true)]
    [InlineData(null, @"^x", "pcre", false)]
    [InlineData(null, "w2@*", null, true)]
    public async Task HandleAsync_DestinationAndPattern_DecideWhetherThisNodeAnswers(string[]? destination, string? pattern, string? matcher, bool answers)
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("ping", destination: destination, pattern: pattern, matcher: matcher), default);

        Assert.Equal(answers ? 1 : 0, worker.Publisher.Messages.Count);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(1, true)]
    public async Task HandleAsync_ExpiresHeader_ExpiredCommandsAreIgnored(double secondsFromNow, bool answers)
    {
        await using var worker = TestWorker.Create(output);
        var expires = CeleryTime.ToUnixSeconds(worker.Time.GetUtcNow()) + secondsFromNow;

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = "id-1" }, expires: expires), default);

        Assert.Equal(answers ? 1 : 0, worker.Publisher.Messages.Count);
        Assert.Equal(answers, await worker.Revoked.IsRevokedAsync("id-1", default));
    }

    [Fact]
    public async Task HandleAsync_NoTicket_RunsTheCommandWithoutReplying()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = "id-1" }, ticket: null), default);

        Assert.Empty(worker.Publisher.Messages);
        Assert.True(await worker.Revoked.IsRevokedAsync("id-1", default));
    }

    [Fact]
    public async Task HandleAsync_UndecodableMessage_IsIgnored()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(Raw("{not json"), default);

        Assert.Empty(worker.Publisher.Messages);
    }

    [Fact]
    public async Task HandleAsync_UnknownMethod_RepliesWithAnError()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("frobnicate"), default);

        Assert.Equal("No such command: 'frobnicate'", ControlReplies.Of(worker).GetProperty("error").GetString());
    }

    [Fact]
    public async Task HandleAsync_SendersClock_MovesOurClockPastIt()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("ping", clock: 100), default);

        Assert.Equal(102, worker.Clock.Value);
        Assert.Equal(102, Assert.Single(worker.Publisher.Messages).Message.Headers["clock"]);
    }

    [Fact]
    public async Task HandleAsync_Reply_GoesToTheRequestedExchangeAndRoutingKey()
    {
        await using var worker = TestWorker.Create(output);

        await worker.Control.HandleAsync(ControlCommand("ping", ticket: "t-9", replyKey: "oid-9"), default);

        var reply = Assert.Single(worker.Publisher.Messages);
        Assert.Equal((ControlDispatcher.ReplyExchange, "oid-9", "t-9"), (reply.Exchange, reply.RoutingKey, reply.Message.Headers["ticket"]));
    }

    [Fact]
    public void QueueName_Hostname_IsCelerysPidboxQueue()
    {
        Assert.Equal("w1@vm.celery.pidbox", ControlDispatcher.QueueName("w1@vm"));
    }
}
