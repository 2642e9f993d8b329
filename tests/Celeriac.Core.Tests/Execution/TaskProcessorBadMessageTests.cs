using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>Messages that must not run: parked when they cannot be run here, discarded when revoked or expired.</summary>
public sealed class TaskProcessorBadMessageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_UnregisteredTask_ParksReportsNotRegisteredAndAcks()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var task = NewTask("tasks.nope", "[1]");
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(["park", $"publish result FAILURE to {TestWorker.ReplyTo}", "publish celeryev task.failed", "ack"], worker.Log.Entries);
        var parked = Assert.Single(worker.ParkingLot.Parked);
        Assert.Same(delivery, parked.Delivery);
        Assert.Equal($"Task 'tasks.nope' is not registered on {TestWorker.Hostname}.", parked.Reason);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((task.Id, TaskState.Failure), (result.TaskId, result.State));
        Assert.Equal(("NotRegistered", "celery.exceptions", "tasks.nope"), (result.Error!.Type, result.Error.Module, result.Error.Message));
        var failed = Assert.Single(worker.Publisher.Events("task-failed"));
        Assert.Equal("NotRegistered('tasks.nope')", failed.GetProperty("exception").GetString());
        Assert.Equal(task.Id, failed.GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task ProcessAsync_UndecodableWithIdAndReplyTo_ParksReportsDecodeErrorAndAcks()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var message = Raw("\u0080\u0004pickle", new Dictionary<string, object?> { ["task"] = "tasks.one", ["id"] = "id-1" }, "application/x-python-serialize")
            with { ReplyTo = TestWorker.ReplyTo, CorrelationId = "id-1" };
        var delivery = worker.Deliver(message);

        await worker.ProcessAsync(delivery);

        Assert.Equal(["park", $"publish result FAILURE to {TestWorker.ReplyTo}", "publish celeryev task.failed", "ack"], worker.Log.Entries);
        Assert.Equal("id-1", Assert.Single(worker.Publisher.Events("task-failed")).GetProperty("uuid").GetString());
        Assert.Contains("application/x-python-serialize", Assert.Single(worker.ParkingLot.Parked).Reason, StringComparison.Ordinal);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal("id-1", result.TaskId);
        Assert.Equal(("DecodeError", "kombu.exceptions"), (result.Error!.Type, result.Error.Module));
        Assert.Contains("task_serializer='json'", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(0, worker.State.Processed);
    }

    [Theory]
    [InlineData("not json", TestWorker.ReplyTo, null)]
    [InlineData("[[], {}, {}]", null, "id-1")]
    public async Task ProcessAsync_UndecodableWithoutIdOrReplyTo_ParksAndAcksWithoutResultFailedOnlyWhenIdKnown(string body, string? replyTo, string? id)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var headers = new Dictionary<string, object?> { ["task"] = "tasks.one", ["lang"] = "py" };
        if (id is not null)
        {
            headers["id"] = id;
            headers["timelimit"] = "not a pair";
        }

        var delivery = worker.Deliver(Raw(body, headers) with { ReplyTo = replyTo });

        await worker.ProcessAsync(delivery);

        // With an id the task is reported failed (its record and monitors hear of it); a result needs a reply queue too.
        Assert.Equal(id is null ? ["park", "ack"] : ["park", "publish celeryev task.failed", "ack"], worker.Log.Entries);
    }

    [Fact]
    public async Task ProcessAsync_RevokedId_DiscardsAsRevokedWithoutRunning()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var task = NewTask("tasks.gate");
        await worker.Revoked.AddAsync([task.Id], default);
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(0, gate.Runs);
        Assert.Equal([$"publish result REVOKED to {TestWorker.ReplyTo}", "publish celeryev task.revoked", "ack"], worker.Log.Entries);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal(("TaskRevokedError", "celery.exceptions", "revoked"), (result.Error!.Type, result.Error.Module, result.Error.Message));
        var revoked = Assert.Single(worker.Publisher.Events("task-revoked"));
        Assert.False(revoked.GetProperty("terminated").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, revoked.GetProperty("signum").ValueKind);
        Assert.False(revoked.GetProperty("expired").GetBoolean());
    }

    [Fact]
    public async Task ProcessAsync_ExpiredOnArrival_DiscardsAsExpiredAndRemembersTheRevoke()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var task = NewTask("tasks.gate") with { Expires = worker.Time.GetUtcNow().AddSeconds(-1) };
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(0, gate.Runs);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal((TaskState.Revoked, "expired"), (result.State, result.Error!.Message));
        var revoked = Assert.Single(worker.Publisher.Events("task-revoked"));
        Assert.True(revoked.GetProperty("expired").GetBoolean());
        Assert.False(revoked.GetProperty("terminated").GetBoolean());
        Assert.Equal(["ack"], delivery.Recorded().Calls);
        Assert.True(await worker.Revoked.IsRevokedAsync(task.Id, default));
    }

    [Fact]
    public async Task ProcessAsync_ExpiresWhileWaitingForItsEta_DiscardsAsExpiredWhenDue()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.gate", gate.IgnoreTokenAsync));
        var now = worker.Time.GetUtcNow();
        var task = NewTask("tasks.gate") with { Eta = now.AddSeconds(10), Expires = now.AddSeconds(5) };
        var delivery = worker.Deliver(task.Encode());
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the ETA timer to be set");

        worker.Time.Advance(TimeSpan.FromSeconds(10));

        await Wait.ForAsync(process, "the expired task to be discarded");
        Assert.Equal(0, gate.Runs);
        Assert.Equal("expired", Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!.Message);
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ReceiveAsync_ParkingLotFails_TheErrorReachesTheConsumerAndNothingIsSettled()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1),
            services: s => s.AddSingleton<IParkingLot>(new FailingParkingLot()));
        var delivery = worker.Deliver(NewTask("tasks.nope").Encode());

        await Assert.ThrowsAsync<IOException>(() => worker.Processor.ReceiveAsync(delivery, default).AsTask());

        Assert.Empty(delivery.Recorded().Calls);
    }

    private sealed class FailingParkingLot : IParkingLot
    {
        public ValueTask ParkAsync(Delivery delivery, string reason, CancellationToken cancellationToken) => throw new IOException("store unavailable");
    }
}
