using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>A task runs to an outcome; the outcome is published, and only then is the message acknowledged.</summary>
public sealed class TaskProcessorOutcomeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_Success_PublishesResultAndEventsThenAcks()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var task = NewTask("tasks.add", "[2, 3]");
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(
            [
                "publish celeryev task.received",
                "publish celeryev task.started",
                $"publish result SUCCESS to {TestWorker.ReplyTo}",
                "publish celeryev task.succeeded",
                "ack",
            ],
            worker.Log.Entries);
        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal(task.Id, result.TaskId);
        Assert.Equal(TaskState.Success, result.State);
        AssertJson.Equal("5", result.Value);
        var message = worker.Publisher.Messages.Single(m => m.Exchange == "");
        Assert.Equal(task.Id, message.Message.CorrelationId);
        Assert.True(message.RequiresConfirmation);
        var succeeded = Assert.Single(worker.Publisher.Events("task-succeeded"));
        Assert.Equal("5", succeeded.GetProperty("result").GetString());
        Assert.Equal(["ack"], delivery.Recorded().Calls);
        Assert.Equal(1, worker.State.Processed);
        Assert.Empty(worker.State.Active);
    }

    [Fact]
    public async Task ProcessAsync_CustomCorrelationId_ResultCarriesIt()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var task = NewTask("tasks.one") with { CorrelationId = "corr-7" };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        Assert.Equal("corr-7", worker.Publisher.Messages.Single(m => m.Exchange == "").Message.CorrelationId);
    }

    [Fact]
    public async Task ProcessAsync_TaskThrows_FailureNamesTheDotNetTypeAndNamespaceWithStackTrace()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.boom", (Func<int, int>)Thrower.Boom));
        var delivery = worker.Deliver(NewTask("tasks.boom", "[7]").Encode());

        await worker.ProcessAsync(delivery);

        var result = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo));
        Assert.Equal(TaskState.Failure, result.State);
        Assert.Equal("BoomException", result.Error!.Type);
        Assert.Equal("Celeriac.Core.Tests.Execution", result.Error.Module);
        AssertJson.Equal("""["boom 7"]""", result.Error.Args);
        Assert.Contains("BoomException: boom 7", result.Traceback, StringComparison.Ordinal);
        Assert.Contains("at Celeriac.Core.Tests.Execution.Thrower.Boom(Int32 x)", result.Traceback, StringComparison.Ordinal);
        var failed = Assert.Single(worker.Publisher.Events("task-failed"));
        Assert.Equal("BoomException('boom 7')", failed.GetProperty("exception").GetString());
        Assert.Equal(result.Traceback, failed.GetProperty("traceback").GetString());
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_ArgumentsDoNotFit_FailsWithPythonTypeError()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));

        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.add", "[1]").Encode()));

        var error = Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Error!;
        Assert.Equal(("TypeError", "builtins", "add() missing 1 required positional argument: 'y'"), (error.Type, error.Module, error.Message));
        Assert.Equal("TypeError(\"add() missing 1 required positional argument: 'y'\")", Assert.Single(worker.Publisher.Events("task-failed")).GetProperty("exception").GetString());
    }

    [Fact]
    public async Task ProcessAsync_TaskEventsDisabled_SendsNoTaskEventsButStillTheResult()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1).ConfigureEvents(o => o.SendTaskEvents = false));
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        await worker.ProcessAsync(delivery);

        Assert.Empty(worker.Publisher.Events());
        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        Assert.True(delivery.Recorded().Acked);
    }

    [Theory]
    [InlineData(true, TestWorker.ReplyTo)]
    [InlineData(false, "")]
    [InlineData(false, null)]
    public async Task ProcessAsync_IgnoreResultOrNoReplyQueue_PublishesNoResultButEventsAndAcks(bool ignoreResult, string? replyTo)
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        var delivery = worker.Deliver((NewTask("tasks.one") with { IgnoreResult = ignoreResult, ReplyTo = replyTo }).Encode());

        await worker.ProcessAsync(delivery);

        Assert.DoesNotContain(worker.Publisher.Messages, m => m.Exchange == "");
        Assert.Single(worker.Publisher.Events("task-succeeded"));
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_TrackStarted_PublishesStartedBeforeSuccess()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1), o => o.TrackStarted = true);

        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.one").Encode()));

        var results = worker.Publisher.Results(TestWorker.ReplyTo);
        Assert.Equal([TaskState.Started, TaskState.Success], results.Select(r => r.State));
        Assert.Equal("{pid:number,hostname:string}", JsonShape.Of(results[0].Value));
        Assert.Equal(TestWorker.Hostname, results[0].Value.GetProperty("hostname").GetString());
    }

    [Fact]
    public async Task ProcessAsync_RedeliveredMessage_TaskContextSaysSo()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.redelivered", (Core.Tasks.TaskContext context) => context.Redelivered));

        await worker.ProcessAsync(worker.Deliver(NewTask("tasks.redelivered").Encode(), redelivered: true));

        Assert.Equal(JsonValueKind.True, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).Value.ValueKind);
    }

    [Fact]
    public async Task ProcessAsync_EventPublishFails_TaskStillSucceedsAndIsAcked()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.one", () => 1));
        worker.Publisher.FailWhen = m => m.Exchange == EventOptions.Exchange ? new IOException("events exchange unavailable") : null;
        var delivery = worker.Deliver(NewTask("tasks.one").Encode());

        await worker.ProcessAsync(delivery);

        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_MessageWithAChain_RunsTheTaskAndItsNextStepWithoutAWarning()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var chain = Celeriac.Core.Protocol.CeleryJson.ToElement(new[]
        {
            new Dictionary<string, object?> { ["task"] = "tasks.add", ["args"] = new[] { 4 }, ["kwargs"] = new { }, ["options"] = new { }, ["subtask_type"] = null, ["immutable"] = false },
        });
        var task = NewTask("tasks.add", "[2, 3]") with { Embed = new Celeriac.Core.Protocol.TaskEmbed(null, null, chain, null) };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        AssertJson.Equal("[5, 4]", Assert.Single(worker.Publisher.Tasks()).Args);
        Assert.DoesNotContain(worker.Logged.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
