using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using Celeriac.Core.Transport;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution;

/// <summary>
/// The captured Celery scenarios replayed through Celeriac's worker: the captured task messages and control
/// commands go in, and what comes out is what the Python worker put on the wire.
/// </summary>
public sealed class TaskProcessorGoldenTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ProcessAsync_GoldenAdd_PublishesCelerysResultAndEvents()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));

        await worker.ProcessAsync(worker.Deliver(GoldenMessage.Load("a_task_message_add.json").ToTransportMessage()));

        var golden = GoldenMessage.Load("b_result_success.json");
        var result = worker.Publisher.Messages.Single(m => m.Exchange == "");
        GoldenAssert.SameEnvelope(golden, result);
        Assert.Equal(golden.Property("correlation_id"), result.Message.CorrelationId);
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(result.Message.Body));
        AssertEvent(worker, "c_event_task_received.json", "task-received");
        AssertEvent(worker, "c_event_task_started.json", "task-started");
        AssertEvent(worker, "c_event_task_succeeded.json", "task-succeeded");
    }

    [Fact]
    public async Task ProcessAsync_GoldenBoom_PublishesCelerysFailureAndEventButItsOwnTraceback()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.boom",
            (int x) => x > 0 ? throw new CeleryException("ValueError", $"boom {x}") : x));

        await worker.ProcessAsync(worker.Deliver(GoldenMessage.Load("a_task_message_boom.json").ToTransportMessage()));

        var golden = GoldenMessage.Load("b_result_failure.json");
        var result = worker.Publisher.Messages.Single(m => m.Exchange == "");
        GoldenAssert.SameEnvelope(golden, result);
        var body = JsonDocument.Parse(result.Message.Body).RootElement;
        Assert.Equal(JsonShape.Of(golden.BodyJson), JsonShape.Of(body));
        Assert.Equal(WithoutTraceback(golden.BodyJson), WithoutTraceback(body));
        Assert.StartsWith("Celeriac.Core.Protocol.CeleryException: boom 7", body.GetProperty("traceback").GetString(), StringComparison.Ordinal);
        AssertEvent(worker, "c_event_task_failed.json", "task-failed", "traceback");
    }

    [Fact]
    public async Task RevokeTerminate_GoldenCommandOnTheRunningTask_PublishesCelerysRevokedResultAndEvent()
    {
        var gate = new TaskGate();
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => gate.IgnoreTokenAsync()));
        var delivery = worker.Deliver(GoldenTask("8dcb1ab4-9847-4175-8785-1d4be3e818f2"));
        var process = worker.Processor.ProcessAsync(delivery, default).AsTask();
        await Wait.ForAsync(gate.Started, "the task to start");

        await worker.Control.HandleAsync(GoldenMessage.Load("d_pidbox_revoke_terminate.json").ToTransportMessage(), default);

        await Wait.ForAsync(delivery.Recorded().Settled, "the terminated task to be settled");
        var golden = GoldenMessage.Load("b_result_revoked_terminated.json");
        var result = worker.Publisher.Messages.Single(m => m.Exchange == "");
        GoldenAssert.SameEnvelope(golden, result);
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(result.Message.Body));
        AssertEvent(worker, "c_event_task_revoked_terminated.json", "task-revoked");
        gate.Release();
        await Wait.ForAsync(process, "the task to return");
    }

    [Fact]
    public async Task Revoke_BeforeTheTaskArrives_PublishesCelerysRevokedResultAndEvent()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        await worker.Control.HandleAsync(ControlCommand("revoke", new { task_id = "e61757b9-2baa-4fb6-a6ce-9f19831ed4a6", terminate = false }, ticket: null), default);

        await worker.ProcessAsync(worker.Deliver(GoldenTask("e61757b9-2baa-4fb6-a6ce-9f19831ed4a6")));

        var golden = GoldenMessage.Load("b_result_revoked_queued.json");
        var result = worker.Publisher.Messages.Single(m => m.Exchange == "");
        GoldenAssert.SameEnvelope(golden, result);
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(result.Message.Body));
        AssertEvent(worker, "c_event_task_revoked_queued.json", "task-revoked");
    }

    private static void AssertEvent(TestWorker worker, string file, string type, params string[] alsoVarying)
    {
        var golden = GoldenMessage.Load(file);
        var sent = worker.Publisher.Messages.Single(m => m.Exchange == "celeryev" && m.RoutingKey == type.Replace('-', '.'));
        GoldenAssert.SameEnvelope(golden, sent, routingKey: sent.RoutingKey);
        GoldenAssert.SameEvent(GoldenAssert.EventOfType(golden, type), JsonDocument.Parse(sent.Message.Body).RootElement, alsoVarying);
    }

    // The captured 'add' message, as the same client would have sent it for another task id.
    private static TransportMessage GoldenTask(string id)
    {
        var add = TaskMessageCodec.Decode(GoldenMessage.Load("a_task_message_add.json").ToTransportMessage());
        return TaskMessageCodec.Encode(add with { Id = id, RootId = id, CorrelationId = id });
    }

    private static string WithoutTraceback(JsonElement body)
    {
        var node = JsonNode.Parse(body.GetRawText())!.AsObject();
        node.Remove("traceback");
        return node.ToJsonString();
    }
}
