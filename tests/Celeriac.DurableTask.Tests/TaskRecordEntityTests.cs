using System.Text.Json;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.DurableTask.Tests.Support;
using Celeriac.Records.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.DurableTask.Tests;

/// <summary>The entity's operations through the SDK's own abstract types: one fresh entity per operation, as the dispatcher makes them.</summary>
public sealed class TaskRecordEntityTests
{
    private readonly FakeEntityState _state = new();

    [Fact]
    public async Task Apply_AcceptedOnNewEntity_CreatesPendingRecordVersionOne()
    {
        var applied = await RunAsync("apply", Change("t1", Accepted(1, "tasks.add", "[2, 3]")));

        Assert.Equal(true, applied);
        var record = StoredRecord();
        Assert.Equal("t1", record.Id);
        Assert.Equal(TaskState.Pending, record.State);
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal("[2, 3]", record.Args?.GetRawText());
        Assert.Equal(1, record.Version);
    }

    [Fact]
    public async Task Apply_Lifecycle_VersionsIncreaseOncePerAppliedChange()
    {
        TaskTransition[] transitions = [Accepted(1), Received(2), Started(3), Succeeded(4, """{"sum": 5}""")];
        TaskRecord? reference = null;
        foreach (var transition in transitions)
        {
            Assert.Equal(true, await RunAsync("apply", Change("t1", transition)));
            reference = TaskStateMachine.Apply(reference, "t1", transition).Record;
        }

        // The entity's record is exactly what the pure state machine gives for the same changes.
        RecordAssert.Same(reference, StoredRecord());
        Assert.Equal(4, StoredRecord().Version);
        Assert.Equal("""{"sum": 5}""", StoredRecord().Result?.GetRawText());
    }

    [Fact]
    public async Task Apply_LateReportAfterSuccess_ReturnsFalseAndLeavesTheStateUntouched()
    {
        foreach (var transition in new TaskTransition[] { Accepted(1), Received(2), Started(3), Succeeded(4) })
        {
            await RunAsync("apply", Change("t1", transition));
        }

        var before = _state.Serialized;

        Assert.Equal(false, await RunAsync("apply", Change("t1", Failed(5))));
        Assert.Equal(false, await RunAsync("apply", Change("t1", Started(6, "celery@late"))));
        Assert.Equal(before, _state.Serialized);
        Assert.Equal(TaskState.Success, StoredRecord().State);
    }

    [Fact]
    public async Task Get_UnknownTask_ReturnsNullAndStoresNoState()
    {
        var result = await RunAsync("get", input: null);

        Assert.Null(result);
        Assert.False(_state.HasState);
    }

    [Fact]
    public async Task Get_AfterApply_ReturnsTheRecordText()
    {
        await RunAsync("apply", Change("t1", Received(1, "celery@w1", "tasks.mul", "[6,  7]")));

        var text = Assert.IsType<string>(await RunAsync("get", input: null));

        var record = TaskRecordJson.Read(text)!;
        Assert.Equal("[6,  7]", record.Args?.GetRawText());
        Assert.Equal("celery@w1", record.Worker);
    }

    [Fact]
    public async Task Apply_ChangeForAnotherTask_ThrowsAndStoresNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync("apply", Change("t2", Accepted(1))).AsTask());

        Assert.Contains("holds another task", error.Message, StringComparison.Ordinal);
        Assert.False(_state.HasState);
    }

    [Fact]
    public async Task Apply_KeyWithPrefix_RecordKeepsTheTaskId()
    {
        await RunAsync("apply", Change("t1", Accepted(1)), key: "run42:t1");

        Assert.Equal("t1", StoredRecord().Id);
    }

    [Fact]
    public async Task Apply_NotAChange_ThrowsJsonException()
    {
        await Assert.ThrowsAsync<JsonException>(() => RunAsync("apply", """{"taskId": "t1"}""").AsTask());
        Assert.False(_state.HasState);
    }

    [Fact]
    public async Task Delete_AfterApply_ClearsTheState()
    {
        await RunAsync("apply", Change("t1", Accepted(1)));

        await RunAsync("delete", input: null);

        Assert.False(_state.HasState);
    }

    private static string Change(string taskId, TaskTransition transition) => TaskRecordJson.WriteChange(taskId, transition);

    private TaskRecord StoredRecord() =>
        TaskRecordJson.Read(JsonSerializer.Deserialize<string>(_state.Serialized ?? throw new InvalidOperationException("The entity has no state.")))!;

    private ValueTask<object?> RunAsync(string operation, string? input, string key = "t1") =>
        new TaskRecordEntity(NullLogger<TaskRecordEntity>.Instance).RunAsync(new FakeEntityOperation(operation, input, _state, key));
}
