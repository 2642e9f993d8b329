using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.Core.Tasks;

namespace Celeriac.Core.Tests.Execution;

/// <summary>Every way a task's code can end, and the outcome its caller sees.</summary>
public sealed class OutcomeMappingTests
{
    private static readonly TimeLimits s_limits = new(Soft: 2, Hard: 5);
    private static readonly TimeSpan s_runtime = TimeSpan.FromSeconds(1.5);

    private static readonly Dictionary<string, (RunEnd End, TaskStopReason? StopReason, bool SoftLimitExceeded, string? Expected)> s_cases = new()
    {
        // name, how the code ended, the request's stop reason, soft limit hit, expected "STATE Type" (null = requeue)
        ["returned"] = (End(value: 5), null, false, "SUCCESS"),
        ["returned although a terminate came late"] = (End(value: 5), TaskStopReason.Terminated, false, "SUCCESS"),
        ["threw"] = (End(error: new InvalidOperationException("boom")), null, false, "FAILURE InvalidOperationException"),
        ["arguments did not fit"] = (End(error: new TaskArgumentException("add() takes 2 positional arguments")), null, false, "FAILURE TypeError"),
        ["threw something else after a terminate"] = (End(error: new InvalidOperationException("boom")), TaskStopReason.Terminated, false, "FAILURE InvalidOperationException"),
        ["cancelled by a terminate"] = (End(error: new OperationCanceledException()), TaskStopReason.Terminated, false, "REVOKED TaskRevokedError"),
        ["cancelled by the hard limit"] = (End(error: new OperationCanceledException()), TaskStopReason.TimeLimit, false, "FAILURE TimeLimitExceeded"),
        ["cancelled by a shutdown"] = (End(error: new OperationCanceledException()), TaskStopReason.Shutdown, false, null),
        ["cancelled by the soft limit"] = (End(error: new OperationCanceledException()), null, true, "FAILURE SoftTimeLimitExceeded"),
        ["cancelled with no reason"] = (End(error: new OperationCanceledException()), null, false, "FAILURE OperationCanceledException"),
        ["stopped first by a terminate"] = (End(stopped: TaskStopReason.Terminated), TaskStopReason.Terminated, false, "REVOKED TaskRevokedError"),
        ["stopped first by the hard limit"] = (End(stopped: TaskStopReason.TimeLimit), TaskStopReason.TimeLimit, false, "FAILURE TimeLimitExceeded"),
        ["stopped first by a shutdown"] = (End(stopped: TaskStopReason.Shutdown), TaskStopReason.Shutdown, false, null),
    };

    public static TheoryData<string> Cases => new(s_cases.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Map_EveryWayTheCodeCanEnd_GivesTheOutcomeCeleryWould(string name)
    {
        var (end, stopReason, softLimitExceeded, expected) = s_cases[name];

        var outcome = OutcomeMapping.Map(end, stopReason, softLimitExceeded, s_limits, Signals.SigTerm);

        Assert.True(expected == Describe(outcome), $"{name}: expected {expected ?? "requeue"}, got {Describe(outcome) ?? "requeue"}");
    }

    [Fact]
    public void Map_HardLimit_NamesTheLimitAndCarriesNoTraceback()
    {
        var outcome = OutcomeMapping.Map(End(stopped: TaskStopReason.TimeLimit), TaskStopReason.TimeLimit, false, s_limits, Signals.SigTerm)!;

        Assert.Equal("TimeLimitExceeded(5)", outcome.Error!.Repr);
        Assert.Null(outcome.Traceback);
    }

    [Fact]
    public void Map_Terminate_ReportsTheSignalAskedFor()
    {
        var outcome = OutcomeMapping.Map(End(stopped: TaskStopReason.Terminated), TaskStopReason.Terminated, false, s_limits, Signals.SigKill)!;

        Assert.Equal((TaskState.Revoked, RevokeReason.Terminated, Signals.SigKill), (outcome.State, outcome.RevokeReason!.Value, outcome.Signal!.Value));
    }

    [Fact]
    public void Map_Success_KeepsTheValueAndRuntime()
    {
        var outcome = OutcomeMapping.Map(End(value: 5), null, false, s_limits, Signals.SigTerm)!;

        Assert.Equal(("5", s_runtime), (outcome.Value.GetRawText(), outcome.Runtime!.Value));
    }

    private static RunEnd End(int? value = null, Exception? error = null, TaskStopReason? stopped = null) =>
        new(value is { } v ? CeleryJson.ToElement(v) : default(JsonElement), error, stopped, s_runtime);

    private static string? Describe(TaskOutcome? outcome) =>
        outcome is null ? null : outcome.Error is { } error ? $"{outcome.State.ToWireName()} {error.Type}" : outcome.State.ToWireName();
}
