using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution.Workflow;

/// <summary>Chord header parts are counted in the store; the part that completes the header sends the body (or fails it) before its ack.</summary>
public sealed class TaskProcessorChordTests(ITestOutputHelper output)
{
    private const string BodyId = "5b0f3c1e-8d2a-4c53-9a57-0d4f8f0c9e11";
    private const string GroupId = "0c8f2f4e-35a1-4c9e-8c55-7d0f2a9b6e01";

    private static string Body(int size, string args = "[]", string extra = "") =>
        $$"""{"task": "tasks.xsum", "args": {{args}}, "kwargs": {}, "options": {"task_id": "{{BodyId}}", "reply_to": "client-9"{{extra}}}, "subtask_type": null, "immutable": false, "chord_size": {{size}}}""";

    private static TaskMessage Part(string name, int x, int index, string body) => NewTask(name, $"[{x}, {x}]") with
    {
        GroupId = GroupId,
        GroupIndex = index,
        Embed = new TaskEmbed(null, null, null, Json(body)),
    };

    private static TestWorker Worker(ITestOutputHelper output) => TestWorker.Create(output, b => b
        .AddTask("tasks.add", (int x, int y) => x + y)
        .AddTask("tasks.boom", (int x, int _) => Thrower.Boom(x))
        .UseInMemoryStore());

    [Fact]
    public async Task ProcessAsync_LastHeaderPart_SendsTheBodyOnceWithTheResultsInHeaderOrderBeforeItsAck()
    {
        await using var worker = Worker(output);
        var body = Body(3, "[100]");
        var parts = new[] { Part("tasks.add", 1, 0, body), Part("tasks.add", 2, 1, body), Part("tasks.add", 3, 2, body) };

        await worker.ProcessAsync(worker.Deliver(parts[2].Encode()));
        await worker.ProcessAsync(worker.Deliver(parts[0].Encode()));
        Assert.Empty(worker.Publisher.Tasks());
        var last = worker.Deliver(parts[1].Encode());
        await worker.ProcessAsync(last);

        var sent = Assert.Single(worker.Publisher.Tasks());
        Assert.Equal((BodyId, "tasks.xsum"), (sent.Id, sent.Name));
        AssertJson.Equal("[[2, 4, 6], 100]", sent.Args);
        Assert.Equal(parts[1].Id, sent.ParentId);
        Assert.Equal("client-9", sent.ReplyTo);
        var entries = worker.Log.Entries;
        var published = worker.Log.IndexOf(e => e == "publish task tasks.xsum to celery");
        Assert.True(published >= 0 && entries.Skip(published).Contains("ack"), "the body is published before the last part is acknowledged");
        Assert.Equal(["ack"], last.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_LastPartRedeliveredAfterItsAck_DoesNotSendTheBodyAgain()
    {
        await using var worker = Worker(output);
        var body = Body(2);
        var first = Part("tasks.add", 1, 0, body);
        var last = Part("tasks.add", 2, 1, body);
        await worker.ProcessAsync(worker.Deliver(first.Encode()));
        await worker.ProcessAsync(worker.Deliver(last.Encode()));

        await worker.ProcessAsync(worker.Deliver(last.Encode(), redelivered: true));
        await worker.ProcessAsync(worker.Deliver(first.Encode(), redelivered: true));

        Assert.Single(worker.Publisher.Tasks());
    }

    [Fact]
    public async Task ProcessAsync_BodyRefusedByTheBroker_TheRedeliveredLastPartSendsItUnderTheSameId()
    {
        await using var worker = Worker(output);
        var body = Body(2);
        await worker.ProcessAsync(worker.Deliver(Part("tasks.add", 1, 0, body).Encode()));
        var last = Part("tasks.add", 2, 1, body);
        worker.Publisher.FailWhen = m => m.Message.Headers.ContainsKey("task") ? new IOException("broker refused the body") : null;
        await Assert.ThrowsAsync<IOException>(() => Wait.ForAsync(worker.Processor.ProcessAsync(worker.Deliver(last.Encode()), default).AsTask(), "the last part"));

        worker.Publisher.FailWhen = null;
        await worker.ProcessAsync(worker.Deliver(last.Encode(), redelivered: true));

        var sent = Assert.Single(worker.Publisher.Tasks());
        Assert.Equal(BodyId, sent.Id);
        AssertJson.Equal("[[2, 4]]", sent.Args);
    }

    [Fact]
    public async Task ProcessAsync_AFailedPart_FailsTheBodyWithChordErrorAndSendsItsErrbacks()
    {
        await using var worker = Worker(output);
        const string Errback = """, "link_error": [{"task": "tasks.echo", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]""";
        var body = Body(2, extra: Errback);
        var failing = Part("tasks.boom", 7, 0, body);
        await worker.ProcessAsync(worker.Deliver(failing.Encode()));
        await worker.ProcessAsync(worker.Deliver(Part("tasks.add", 2, 1, body).Encode()));

        var errback = Assert.Single(worker.Publisher.Tasks());
        Assert.Equal("tasks.echo", errback.Name);
        AssertJson.Equal($"""["{BodyId}"]""", errback.Args);
        var result = Assert.Single(worker.Publisher.Results("client-9"));
        Assert.Equal((BodyId, TaskState.Failure, "ChordError"), (result.TaskId, result.State, result.Error!.Type));
        Assert.Equal($"Dependency {failing.Id} raised BoomException('boom 7')", result.Error.Message);
        Assert.Single(worker.Logged.Entries, e => e.EventId == 1806);
    }

    [Fact]
    public async Task ProcessAsync_ARevokedPart_CountsAndFailsTheBodyWithChordError()
    {
        await using var worker = Worker(output);
        var body = Body(2);
        var revoked = Part("tasks.add", 1, 0, body);
        await worker.Revoked.AddAsync([revoked.Id], CancellationToken.None);

        await worker.ProcessAsync(worker.Deliver(revoked.Encode()));
        await worker.ProcessAsync(worker.Deliver(Part("tasks.add", 2, 1, body).Encode()));

        Assert.Empty(worker.Publisher.Tasks());
        var result = Assert.Single(worker.Publisher.Results("client-9"));
        Assert.Equal((BodyId, TaskState.Failure, "ChordError"), (result.TaskId, result.State, result.Error!.Type));
        Assert.Equal($"Dependency {revoked.Id} raised TaskRevokedError('revoked')", result.Error.Message);
    }

    [Fact]
    public async Task ProcessAsync_ChordBodyWithoutChordSize_WarnsAndSendsNoBody()
    {
        await using var worker = Worker(output);
        var task = Part("tasks.add", 1, 0, Body(1).Replace(", \"chord_size\": 1", "", StringComparison.Ordinal));

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        Assert.Empty(worker.Publisher.Tasks());
        Assert.Single(worker.Logged.Entries, e => e.EventId == 1804);
    }
}
