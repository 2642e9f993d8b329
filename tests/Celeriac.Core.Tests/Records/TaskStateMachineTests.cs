using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;

namespace Celeriac.Core.Tests.Records;

public sealed class TaskStateMachineTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TaskDescription s_add = new("tasks.add", CeleryJson.ToElement(new[] { 2, 3 }), CeleryJson.EmptyObject);

    // Every transition against every starting point: null = no record yet. Expected null = ignored, state kept.
    public static TheoryData<string, TaskState?, TaskState?> Table => new()
    {
        // from nothing: everything but a duplicate creates the record
        { "accepted", null, TaskState.Pending },
        { "received", null, TaskState.Received },
        { "started", null, TaskState.Started },
        { "retried", null, TaskState.Retry },
        { "succeeded", null, TaskState.Success },
        { "failed", null, TaskState.Failure },
        { "revoked", null, TaskState.Revoked },
        { "revoke-requested", null, TaskState.Pending },

        // PENDING
        { "accepted", TaskState.Pending, null },
        { "received", TaskState.Pending, TaskState.Received },
        { "started", TaskState.Pending, TaskState.Started },
        { "retried", TaskState.Pending, null },
        { "succeeded", TaskState.Pending, TaskState.Success },
        { "failed", TaskState.Pending, TaskState.Failure },
        { "revoked", TaskState.Pending, TaskState.Revoked },
        { "revoke-requested", TaskState.Pending, TaskState.Pending },

        // RECEIVED
        { "received", TaskState.Received, TaskState.Received },
        { "started", TaskState.Received, TaskState.Started },
        { "retried", TaskState.Received, TaskState.Retry },
        { "succeeded", TaskState.Received, TaskState.Success },
        { "revoked", TaskState.Received, TaskState.Revoked },
        { "revoke-requested", TaskState.Received, TaskState.Received },

        // STARTED: a late RECEIVED never moves it back; a redelivered task may start again
        { "received", TaskState.Started, null },
        { "started", TaskState.Started, TaskState.Started },
        { "retried", TaskState.Started, TaskState.Retry },
        { "succeeded", TaskState.Started, TaskState.Success },
        { "failed", TaskState.Started, TaskState.Failure },
        { "revoked", TaskState.Started, TaskState.Revoked },
        { "revoke-requested", TaskState.Started, TaskState.Started },

        // RETRY: runs again
        { "received", TaskState.Retry, TaskState.Received },
        { "started", TaskState.Retry, TaskState.Started },
        { "retried", TaskState.Retry, null },
        { "succeeded", TaskState.Retry, TaskState.Success },

        // final states are never overwritten
        { "received", TaskState.Success, null },
        { "started", TaskState.Success, null },
        { "retried", TaskState.Success, null },
        { "succeeded", TaskState.Success, null },
        { "failed", TaskState.Success, null },
        { "revoked", TaskState.Success, null },
        { "revoke-requested", TaskState.Success, null },
        { "started", TaskState.Failure, null },
        { "succeeded", TaskState.Failure, null },
        { "revoke-requested", TaskState.Failure, null },
        { "received", TaskState.Revoked, null },
        { "started", TaskState.Revoked, null },
        { "succeeded", TaskState.Revoked, null },
        { "revoke-requested", TaskState.Revoked, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Apply_TransitionFromState_AppliesOnlyFromAllowedStates(string transition, TaskState? from, TaskState? expected)
    {
        var current = from is { } state ? RecordIn(state) : null;

        var result = TaskStateMachine.Apply(current, "t1", Transition(transition, s_t0.AddSeconds(10)));

        if (expected is { } target)
        {
            Assert.True(result.WasApplied, $"{transition} from {from?.ToString() ?? "nothing"} should apply: {result.Reason}");
            Assert.Equal(target, result.Record!.State);
            Assert.Equal((current?.Version ?? 0) + 1, result.Record.Version);
            Assert.Equal(s_t0.AddSeconds(10), result.Record.Timeline.Updated);
        }
        else
        {
            Assert.False(result.WasApplied, $"{transition} from {from} should be ignored");
            Assert.Same(current, result.Record);
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }
    }

    [Fact]
    public void Apply_RevokeOfFinishedTask_ChangesNothingAndSaysSo()
    {
        var done = RecordIn(TaskState.Success);

        var result = TaskStateMachine.Apply(done, "t1", new TaskRevokeRequested(s_t0, Terminate: true));

        Assert.False(result.WasApplied);
        Assert.Null(result.Record!.Revoke);
        Assert.Contains("already finished: SUCCESS", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_SameTransitionTwice_SecondIsHarmless()
    {
        var first = TaskStateMachine.Apply(null, "t1", Transition("succeeded", s_t0));

        var second = TaskStateMachine.Apply(first.Record, "t1", Transition("succeeded", s_t0.AddSeconds(1)));

        Assert.False(second.WasApplied);
        Assert.Same(first.Record, second.Record);
    }

    [Fact]
    public void Apply_FullLifecycle_RecordsEveryTransitionTime()
    {
        TaskRecord? record = null;
        var steps = new[] { "accepted", "received", "started", "succeeded" };
        for (var i = 0; i < steps.Length; i++)
        {
            record = TaskStateMachine.Apply(record, "t1", Transition(steps[i], s_t0.AddSeconds(i))).Record;
        }

        Assert.NotNull(record);
        Assert.Equal(TaskState.Success, record.State);
        Assert.Equal(4, record.Version);
        Assert.Equal(s_t0, record.Timeline.Created);
        Assert.Equal(s_t0, record.Timeline.Pending);
        Assert.Equal(s_t0.AddSeconds(1), record.Timeline.Received);
        Assert.Equal(s_t0.AddSeconds(2), record.Timeline.Started);
        Assert.Equal(s_t0.AddSeconds(3), record.Timeline.Finished);
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal("w1@host", record.Worker);
        Assert.Equal(5, record.Result!.Value.GetInt32());
        Assert.Equal(1.5, record.Runtime);
        Assert.Equal("t1", record.RootId);
    }

    [Fact]
    public void Apply_AcceptedAfterWorkerCreatedRecord_FillsPendingTimeNoLaterThanReceivedAndKeepsState()
    {
        var received = TaskStateMachine.Apply(null, "t1", Transition("received", s_t0)).Record;

        var result = TaskStateMachine.Apply(received, "t1", Transition("accepted", s_t0.AddSeconds(1)));

        Assert.True(result.WasApplied);
        Assert.Equal(TaskState.Received, result.Record!.State);
        Assert.Equal(s_t0, result.Record.Timeline.Pending);
        Assert.Equal("w1@host", result.Record.Worker);
    }

    [Fact]
    public void Apply_AcceptedAfterTheTaskStarted_TimelineNeverGoesBackwards()
    {
        var started = TaskStateMachine.Apply(null, "t1", Transition("started", s_t0)).Record;

        var result = TaskStateMachine.Apply(started, "t1", Transition("accepted", s_t0.AddMilliseconds(300)));

        Assert.Equal(TaskState.Started, result.Record!.State);
        Assert.True(result.Record.Timeline.Pending <= result.Record.Timeline.Started,
            $"pending {result.Record.Timeline.Pending:o} must not be later than started {result.Record.Timeline.Started:o}");
    }

    [Fact]
    public void Apply_AcceptedFirst_PendingIsWhenItWasAccepted()
    {
        var result = TaskStateMachine.Apply(null, "t1", Transition("accepted", s_t0));

        Assert.Equal(s_t0, result.Record!.Timeline.Pending);
    }

    [Fact]
    public void Apply_AcceptedAfterRevokeOfUnseenId_FillsNameAndKeepsRevoke()
    {
        var revoked = TaskStateMachine.Apply(null, "t1", new TaskRevokeRequested(s_t0, Terminate: false)).Record;

        var result = TaskStateMachine.Apply(revoked, "t1", Transition("accepted", s_t0.AddSeconds(1)));

        Assert.Equal("tasks.add", result.Record!.Name);
        Assert.NotNull(result.Record.Revoke);
        Assert.Equal(TaskState.Pending, result.Record.State);
    }

    [Fact]
    public void Apply_TerminateAfterPlainRevoke_Upgrades_ButNotTheOtherWayRound()
    {
        var plain = TaskStateMachine.Apply(RecordIn(TaskState.Started), "t1", new TaskRevokeRequested(s_t0, Terminate: false)).Record;

        var upgraded = TaskStateMachine.Apply(plain, "t1", new TaskRevokeRequested(s_t0.AddSeconds(1), Terminate: true));
        var downgrade = TaskStateMachine.Apply(upgraded.Record, "t1", new TaskRevokeRequested(s_t0.AddSeconds(2), Terminate: false));

        Assert.True(upgraded.WasApplied);
        Assert.True(upgraded.Record!.Revoke!.Terminate);
        Assert.False(downgrade.WasApplied);
        Assert.True(downgrade.Record!.Revoke!.Terminate);
    }

    [Fact]
    public void Apply_ReceivedAfterStartedOnAnotherWorker_KeepsStartedAndItsWorker()
    {
        var started = TaskStateMachine.Apply(RecordIn(TaskState.Received), "t1", new TaskStarted(s_t0, "w2@host")).Record;

        var late = TaskStateMachine.Apply(started, "t1", new TaskReceived(s_t0.AddSeconds(1), "w3@host", s_add));

        Assert.False(late.WasApplied);
        Assert.Equal(TaskState.Started, late.Record!.State);
        Assert.Equal("w2@host", late.Record.Worker);
    }

    [Fact]
    public void Apply_Failure_KeepsErrorTracebackAndRuntime()
    {
        var error = TaskError.Create("InvalidOperationException", "boom", "System");
        var outcome = TaskOutcome.Failure(error, "System.InvalidOperationException: boom\n   at X", TimeSpan.FromSeconds(2));

        var record = TaskStateMachine.Apply(RecordIn(TaskState.Started), "t1", new TaskFinished(s_t0, "w1@host", outcome)).Record!;

        Assert.Equal(TaskState.Failure, record.State);
        Assert.Equal("InvalidOperationException", record.Error!.Type);
        Assert.Equal("boom", record.Error.Message);
        Assert.Equal("System", record.Error.Module);
        Assert.StartsWith("System.InvalidOperationException", record.Traceback, StringComparison.Ordinal);
        Assert.Equal(2, record.Runtime);
        Assert.Null(record.Result);
    }

    private static TaskRecord RecordIn(TaskState state) =>
        new() { Id = "t1", Name = "tasks.add", State = state, Version = 3, Timeline = new TaskTimeline { Created = s_t0, Pending = s_t0 } };

    private static TaskTransition Transition(string name, DateTimeOffset at) => name switch
    {
        "accepted" => new TaskAccepted(at, s_add),
        "received" => new TaskReceived(at, "w1@host", s_add),
        "started" => new TaskStarted(at, "w1@host"),
        "retried" => new TaskRetried(at, "w1@host", TaskError.Create("Retry", "again", "celery.exceptions"), null),
        "succeeded" => new TaskFinished(at, "w1@host", TaskOutcome.Success(CeleryJson.ToElement(5), TimeSpan.FromSeconds(1.5))),
        "failed" => new TaskFinished(at, "w1@host", TaskOutcome.Failure(TaskError.Create("ValueError", "bad", "builtins"), "tb", TimeSpan.FromSeconds(1))),
        "revoked" => new TaskFinished(at, "w1@host", TaskOutcome.Revoked(RevokeReason.Revoked)),
        "revoke-requested" => new TaskRevokeRequested(at, Terminate: false),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
