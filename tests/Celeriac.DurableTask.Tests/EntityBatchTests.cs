using System.Text.Json;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.DurableTask.Testing;
using Google.Protobuf;
using Microsoft.DurableTask.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.DurableTask.Tests;

/// <summary>
/// Real entity batches through <c>GrpcEntityRunner</c>, the runner the isolated worker's <c>TaskEntityDispatcher</c>
/// calls: the protobuf request the Durable extension sends in, the protobuf result it reads back.
/// </summary>
public sealed class EntityBatchTests
{
    [Fact]
    public async Task RunInProcessAsync_LifecycleBatch_AppliesInOrderAndAnswersEachOperation()
    {
        var result = await RunAsync(state: null,
            Apply(Accepted(1)), Apply(Received(2)), Apply(Started(3)), Apply(Received(4, "celery@late")), Get());

        Assert.Equal(["true", "true", "true", "false"], result.Results.Take(4).Select(r => r.Success.Result));
        var record = RecordOf(result.EntityState);
        Assert.Equal(TaskState.Started, record.State);
        Assert.Equal(3, record.Version);
        Assert.Equal("celery@a", record.Worker);
        // get saw the state the operations before it left.
        Assert.Equal(3, TaskRecordJson.Read(JsonSerializer.Deserialize<string>(result.Results[4].Success.Result))!.Version);
    }

    [Fact]
    public async Task RunInProcessAsync_UnreadableChange_FailsOnlyThatOperation()
    {
        var result = await RunAsync(state: null,
            Apply(Accepted(1)), new OperationRequest { Operation = "apply", RequestId = NewRequestId(), Input = JsonSerializer.Serialize("not json") },
            Apply(Received(2)));

        Assert.Equal(OperationResult.ResultTypeOneofCase.Success, result.Results[0].ResultTypeCase);
        Assert.Equal(OperationResult.ResultTypeOneofCase.Failure, result.Results[1].ResultTypeCase);
        Assert.Contains("JsonException", result.Results[1].Failure.FailureDetails.ErrorType, StringComparison.Ordinal);
        Assert.Equal(OperationResult.ResultTypeOneofCase.Success, result.Results[2].ResultTypeCase);
        Assert.Equal(2, RecordOf(result.EntityState).Version);
    }

    [Fact]
    public async Task RunInProcessAsync_NextBatchOverFinalState_KeepsTheFinalState()
    {
        var first = await RunAsync(state: null, Apply(Accepted(1)), Apply(Received(2)), Apply(Started(3)), Apply(Succeeded(4, """{"sum": 5}""")));

        var second = await RunAsync(first.EntityState, Apply(Failed(5)), Apply(Started(6)), Apply(RevokeRequested(7, terminate: true)));

        Assert.Equal(["false", "false", "false"], second.Results.Select(r => r.Success.Result));
        Assert.Equal(first.EntityState, second.EntityState);
        var record = RecordOf(second.EntityState);
        Assert.Equal(TaskState.Success, record.State);
        Assert.Equal("""{"sum": 5}""", record.Result?.GetRawText());
        Assert.Null(record.Revoke);
    }

    [Fact]
    public async Task RunInProcessAsync_GetOnUnknownTask_AnswersNullAndLeavesNoState()
    {
        var result = await RunAsync(state: null, Get());

        Assert.Equal(OperationResult.ResultTypeOneofCase.Success, result.Results[0].ResultTypeCase);
        Assert.True(string.IsNullOrEmpty(result.Results[0].Success.Result) || result.Results[0].Success.Result == "null");
        Assert.True(string.IsNullOrEmpty(result.EntityState));
    }

    private static OperationRequest Apply(TaskTransition transition) => new()
    {
        Operation = TaskRecordEntity.ApplyOperation,
        // The runner wants a GUID: "Unrecognized Guid format" otherwise.
        RequestId = NewRequestId(),
        // Inputs travel as JSON values: the change's text is a JSON string.
        Input = JsonSerializer.Serialize(TaskRecordJson.WriteChange("t1", transition)),
    };

    private static OperationRequest Get() => new() { Operation = TaskRecordEntity.GetOperation, RequestId = NewRequestId() };

    private static string NewRequestId() => Guid.NewGuid().ToString();

    private static TaskRecord RecordOf(string? entityState) =>
        TaskRecordJson.Read(JsonSerializer.Deserialize<string>(entityState ?? throw new InvalidOperationException("The batch left no state.")))!;

    private static async Task<EntityBatchResult> RunAsync(string? state, params OperationRequest[] operations)
    {
        var request = new EntityBatchRequest { InstanceId = "@taskrecord@t1" };
        if (state is not null)
        {
            request.EntityState = state;
        }

        request.Operations.AddRange(operations);
        var encoded = await EntityBatches.RunInProcessAsync(request.ToByteString().ToBase64(), NullLoggerFactory.Instance);
        var result = EntityBatchResult.Parser.ParseFrom(ByteString.FromBase64(encoded));
        Assert.Equal(operations.Length, result.Results.Count);
        return result;
    }
}
