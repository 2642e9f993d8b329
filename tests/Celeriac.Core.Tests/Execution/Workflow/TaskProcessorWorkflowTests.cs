using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution.Workflow;

/// <summary>The worker sends what follows a task (chain, link, link_error) before it acknowledges the task, and never without the broker's confirm.</summary>
public sealed class TaskProcessorWorkflowTests(ITestOutputHelper output)
{
    private const string NextId = "47f7e61c-4e65-4405-b20d-d583e9ab2406";

    private static TaskEmbed Chain(string steps) => new(null, null, Json(steps), null);

    private static string Add(string args, string options = "{}") =>
        $$"""{"task": "tasks.add", "args": {{args}}, "kwargs": {}, "options": {{options}}, "subtask_type": null, "immutable": false}""";

    [Fact]
    public async Task ProcessAsync_ChainStep_SendsTheNextStepConfirmedBeforeTheAck()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var task = NewTask("tasks.add", "[2, 2]") with { Embed = Chain($$"""[{{Add("[4]", $$"""{"task_id": "{{NextId}}", "reply_to": "{{TestWorker.ReplyTo}}"}""")}}]""") };
        var delivery = worker.Deliver(task.Encode());

        await worker.ProcessAsync(delivery);

        var sent = worker.Log.IndexOf(e => e == "publish task tasks.add to celery");
        Assert.True(sent >= 0, "the next step should be published");
        Assert.True(sent < worker.Log.IndexOf(e => e == "ack"), "the next step is published before the ack");
        Assert.True(worker.Publisher.Messages.Single(m => m.Message.Headers.ContainsKey("task")).RequiresConfirmation);
        var next = Assert.Single(worker.Publisher.Tasks());
        Assert.Equal(NextId, next.Id);
        AssertJson.Equal("[4, 4]", next.Args);
        Assert.Equal(task.Id, next.ParentId);
        Assert.Equal(task.Id, next.RootId);
        Assert.Equal(TestWorker.ReplyTo, next.ReplyTo);
        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
    }

    [Fact]
    public async Task ProcessAsync_ThreeStepChainThroughTheWorker_RecordsEveryStepWithItsParentAndTheRoot()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y).UseInMemoryStore());
        var first = NewTask("tasks.add", "[2, 2]") with { Embed = Chain($"[{Add("[8]")}, {Add("[4]")}]") };

        await worker.ProcessAsync(worker.Deliver(first.Encode()));
        var second = Assert.Single(worker.Publisher.Tasks());
        await worker.ProcessAsync(worker.Deliver(TaskMessageCodec.Encode(second)));
        var third = Assert.Single(worker.Publisher.Tasks(), t => t.Id != second.Id);
        await worker.ProcessAsync(worker.Deliver(TaskMessageCodec.Encode(third)));

        var store = worker.Services.GetRequiredService<ITaskStore>();
        var records = new List<TaskRecord>();
        foreach (var id in new[] { first.Id, second.Id, third.Id })
        {
            records.Add(await store.GetAsync(id, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"no record for {id}"));
        }

        Assert.All(records, r => Assert.Equal((TaskState.Success, first.Id), (r.State, r.RootId)));
        Assert.Equal([null, first.Id, second.Id], records.Select(r => r.ParentId));
        AssertJson.Equal("16", records[2].Result!.Value);
        Assert.Equal(2, worker.Publisher.Tasks().Count);
    }

    [Fact]
    public async Task ProcessAsync_NextStepRefused_ThrowsAndDoesNotAck()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        worker.Publisher.FailWhen = m => m.Message.Headers.ContainsKey("task") ? new IOException("broker refused the next step") : null;
        var delivery = worker.Deliver((NewTask("tasks.add", "[2, 2]") with { Embed = Chain($"[{Add("[4]")}]") }).Encode());

        await Assert.ThrowsAsync<IOException>(() => Wait.ForAsync(worker.Processor.ProcessAsync(delivery, default).AsTask(), "the task to be processed"));

        Assert.Empty(delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_FailureWithErrbackAndChain_SendsTheErrbackAndFailsTheChainSteps()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.boom", (Func<int, int>)Thrower.Boom));
        var task = NewTask("tasks.boom", "[7]") with
        {
            Embed = new TaskEmbed(null, Json("""[{"task": "tasks.echo", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]"""),
                Json($$"""[{{Add("[4]", $$"""{"task_id": "{{NextId}}", "reply_to": "client-2"}""")}}]"""), null),
        };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        var errback = Assert.Single(worker.Publisher.Tasks());
        Assert.Equal("tasks.echo", errback.Name);
        AssertJson.Equal($"""["{task.Id}"]""", errback.Args);
        Assert.Equal(task.Id, errback.ParentId);
        var abandoned = Assert.Single(worker.Publisher.Results("client-2"));
        Assert.Equal((NextId, TaskState.Failure, "BoomException"), (abandoned.TaskId, abandoned.State, abandoned.Error!.Type));
    }

    [Fact]
    public async Task ProcessAsync_Revoked_SendsNothingThatFollows()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var task = NewTask("tasks.add", "[2, 2]") with { Embed = new TaskEmbed(Json($"[{Add("[1]")}]"), Json($"[{Add("[2]")}]"), Json($"[{Add("[3]")}]"), null) };
        await worker.Revoked.AddAsync([task.Id], CancellationToken.None);

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        Assert.Empty(worker.Publisher.Tasks());
    }

    [Fact]
    public async Task ProcessAsync_UnreadableWorkflow_AcksTheTaskAndSendsNothing()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var delivery = worker.Deliver((NewTask("tasks.add", "[2, 2]") with { Embed = Chain("""[{"args": "not a signature"}]""") }).Encode());

        await worker.ProcessAsync(delivery);

        Assert.Empty(worker.Publisher.Tasks());
        Assert.Equal(["ack"], delivery.Recorded().Calls);
    }

    [Fact]
    public async Task ProcessAsync_ChordHeaderPartWithoutAStore_RunsAndWarnsThatTheBodyDoesNot()
    {
        await using var worker = TestWorker.Create(output, b => b.AddTask("tasks.add", (int x, int y) => x + y));
        var task = NewTask("tasks.add", "[2, 2]") with { GroupId = "g-1", Embed = new TaskEmbed(null, null, null, Json(Add("[]"))) };

        await worker.ProcessAsync(worker.Deliver(task.Encode()));

        Assert.Equal(TaskState.Success, Assert.Single(worker.Publisher.Results(TestWorker.ReplyTo)).State);
        Assert.Empty(worker.Publisher.Tasks());
        var warning = Assert.Single(worker.Logged.Entries, e => e.EventId == 1801);
        Assert.Contains($"tasks.add[{task.Id}]", warning.Message, StringComparison.Ordinal);
    }
}
