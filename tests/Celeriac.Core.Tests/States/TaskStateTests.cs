using Celeriac.Core.States;

namespace Celeriac.Core.Tests.States;

public sealed class TaskStateTests
{
    [Theory]
    [InlineData(TaskState.Pending, "PENDING", false, 1)]
    [InlineData(TaskState.Retry, "RETRY", false, 2)]
    [InlineData(TaskState.Rejected, "REJECTED", false, 3)]
    [InlineData(TaskState.Received, "RECEIVED", false, 4)]
    [InlineData(TaskState.Started, "STARTED", false, 5)]
    [InlineData(TaskState.Revoked, "REVOKED", true, 6)]
    [InlineData(TaskState.Failure, "FAILURE", true, 7)]
    [InlineData(TaskState.Success, "SUCCESS", true, 8)]
    public void State_WireNameFinalityAndPrecedence_AreCelerys(TaskState state, string wireName, bool isFinal, int precedence)
    {
        Assert.Equal(wireName, state.ToWireName());
        Assert.True(TaskStates.TryParseWireName(wireName, out var parsed));
        Assert.Equal(state, parsed);
        Assert.Equal(isFinal, state.IsFinal());
        Assert.Equal(precedence, state.Precedence());
    }

    [Theory]
    [InlineData("PROGRESS")]
    [InlineData("success")]
    [InlineData(null)]
    public void TryParseWireName_CustomOrUnknown_IsFalse(string? name)
    {
        Assert.False(TaskStates.TryParseWireName(name, out _));
    }
}
