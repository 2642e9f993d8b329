using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>Results Celeriac publishes are the rpc:// result messages Celery 5.2.6 published, byte for byte.</summary>
public sealed class TaskResultGoldenTests
{
    public static TheoryData<string> ResultFiles => new(GoldenMessage.Files("b_"));

    [Theory]
    [MemberData(nameof(ResultFiles))]
    public void ToMessage_SameOutcomeAsTheCapture_IsTheCapturedMessage(string file)
    {
        var golden = GoldenMessage.Load(file);
        var body = golden.BodyJson;
        var taskId = body.GetProperty("task_id").GetString()!;

        var ours = OutcomeOf(file, golden).ToResult(taskId).ToMessage(golden.RoutingKey, golden.Property("correlation_id"), persistent: true);

        GoldenAssert.SameEnvelope(golden, ours);
        Assert.Equal(golden.Property("correlation_id"), ours.Message.CorrelationId);
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(ours.Message.Body));
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void ToMessage_Persistence_SetsTheDeliveryMode(bool persistent, int deliveryMode)
    {
        var message = TaskOutcome.Success(Json("1"), TimeSpan.Zero).ToResult("id-1").ToMessage("reply-q", null, persistent);

        Assert.Equal(deliveryMode, message.Message.DeliveryMode);
        Assert.Equal("id-1", message.Message.CorrelationId);
        Assert.True(message.RequiresConfirmation);
    }

    [Theory]
    [MemberData(nameof(ResultFiles))]
    public void Decode_CapturedResult_ReadsStateAndError(string file)
    {
        var golden = GoldenMessage.Load(file);

        var result = TaskResult.Decode(golden.Body);

        var expected = OutcomeOf(file, golden);
        Assert.Equal(expected.State, result.State);
        Assert.Equal(expected.Error?.Type, result.Error?.Type);
        Assert.Equal(expected.Error?.Module, result.Error?.Module);
        Assert.Equal(expected.Error?.Message, result.Error?.Message);
    }

    private static TaskOutcome OutcomeOf(string file, GoldenMessage golden) => file switch
    {
        "b_result_success.json" => TaskOutcome.Success(Json("5"), TimeSpan.FromSeconds(4)),
        "b_result_failure.json" => TaskOutcome.Failure(TaskError.Create("ValueError", "boom 7", "builtins"),
            golden.BodyJson.GetProperty("traceback").GetString(), TimeSpan.FromSeconds(1)),
        "b_result_revoked_queued.json" => TaskOutcome.Revoked(RevokeReason.Revoked),
        "b_result_revoked_terminated.json" => TaskOutcome.Revoked(RevokeReason.Terminated),
        _ => throw new InvalidOperationException($"No outcome for the new vector {file}: add one."),
    };
}
