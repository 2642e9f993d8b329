using Celeriac.Core.Records;
using Celeriac.Core.States;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.Records.Testing;

/// <summary>
/// What every <see cref="ITaskStore"/> promises. Each implementation runs this suite through a subclass that
/// says how to create a fresh, empty store.
/// </summary>
public abstract class TaskStoreContractTests : IAsyncLifetime
{
    // Generous: the entity store's run waits for a real Durable backend on a shared machine; an in-process store
    // finishes every test in well under a second.
    protected const int Timeout = 120_000;

    private ITaskStore? _store;

    protected ITaskStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<ITaskStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("no-such-task", default));
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_Accepted_CreatesPendingRecordWithNameArgsAndTimes()
    {
        var result = await Store.ApplyAsync("t1", Accepted(1, "tasks.add", "[2, 3]", """{"z": 1}"""), default);

        Assert.True(result.WasApplied);
        var record = await Store.GetAsync("t1", default);
        Assert.NotNull(record);
        Assert.Equal(TaskState.Pending, record.State);
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal("[2, 3]", record.Args?.GetRawText());
        Assert.Equal("""{"z": 1}""", record.Kwargs?.GetRawText());
        Assert.Equal(At(1), record.Timeline.Created);
        Assert.Equal(At(1), record.Timeline.Pending);
        Assert.Null(record.Timeline.Received);
        Assert.Equal(1, record.Version);
        RecordAssert.Same(result.Record, record);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_FullLifecycle_EndsInSuccessWithWorkerTimesRuntimeAndResult()
    {
        var expectedStates = new[] { TaskState.Pending, TaskState.Received, TaskState.Started, TaskState.Success };
        TaskTransition[] transitions = [Accepted(1), Received(2, "celery@w1"), Started(3, "celery@w1"), Succeeded(4, """{"sum": 5}""", runtime: 0.75, worker: "celery@w1")];

        for (var i = 0; i < transitions.Length; i++)
        {
            var result = await Store.ApplyAsync("t1", transitions[i], default);
            Assert.True(result.WasApplied, result.Reason);
            Assert.Equal(expectedStates[i], result.Record!.State);
            Assert.Equal(i + 1, result.Record.Version);
            RecordAssert.Same(result.Record, await Store.GetAsync("t1", default));
        }

        var record = (await Store.GetAsync("t1", default))!;
        Assert.True(record.IsFinal);
        Assert.Equal("celery@w1", record.Worker);
        Assert.Equal("""{"sum": 5}""", record.Result?.GetRawText());
        Assert.Equal(0.75, record.Runtime);
        Assert.Equal([At(1), At(2), At(3), At(4), At(4)],
            [record.Timeline.Pending, record.Timeline.Received, record.Timeline.Started, record.Timeline.Finished, record.Timeline.Updated]);
        Assert.Equal(At(1), record.Timeline.Created);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_Failure_KeepsErrorTypeMessageModuleAndTraceback()
    {
        await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Failed(4, "bad input"));

        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(TaskState.Failure, record.State);
        Assert.Equal("ValueError", record.Error?.Type);
        Assert.Equal("bad input", record.Error?.Message);
        Assert.Equal("builtins", record.Error?.Module);
        Assert.Equal("Traceback (most recent call last):\n  ValueError: bad input", record.Traceback);
        Assert.Equal(1.5, record.Runtime);
        Assert.Null(record.Result);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_RetryThenReceivedAgain_CountsTheRetryAndKeepsTheError()
    {
        await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Retried(4), Received(5, "celery@b"));

        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(TaskState.Received, record.State);
        Assert.Equal("celery@b", record.Worker);
        Assert.Equal(At(4), record.Timeline.Retried);
        Assert.Equal("ConnectionError", record.Error?.Type);
        Assert.Equal(5, record.Version);
    }

    public static TheoryData<string> LateReports => ["started", "received", "failed", "succeeded", "retried", "revoked"];

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(LateReports))]
    public async Task ApplyAsync_AfterSuccess_LateReportIsIgnoredWithAReason(string report)
    {
        var finished = await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Succeeded(4));
        TaskTransition late = report switch
        {
            "started" => Started(5, "celery@late"),
            "received" => Received(5, "celery@late"),
            "failed" => Failed(5),
            "succeeded" => Succeeded(5, "99"),
            "retried" => Retried(5),
            _ => Revoked(5),
        };

        var result = await Store.ApplyAsync("t1", late, default);

        Assert.False(result.WasApplied);
        Assert.Contains("already finished: SUCCESS", result.Reason, StringComparison.Ordinal);
        RecordAssert.Same(finished.Record, result.Record);
        RecordAssert.Same(finished.Record, await Store.GetAsync("t1", default));
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_ReceivedAfterStarted_IsIgnored()
    {
        var started = await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3));

        var result = await Store.ApplyAsync("t1", Received(4, "celery@other"), default);

        Assert.False(result.WasApplied);
        Assert.Contains("RECEIVED cannot follow STARTED", result.Reason, StringComparison.Ordinal);
        RecordAssert.Same(started.Record, await Store.GetAsync("t1", default));
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_ReceivedWithoutPending_CreatesTheRecord()
    {
        var result = await Store.ApplyAsync("t1", Received(2, "celery@w1", "tasks.mul", "[6, 7]"), default);

        Assert.True(result.WasApplied);
        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(TaskState.Received, record.State);
        Assert.Equal("tasks.mul", record.Name);
        Assert.Equal("[6, 7]", record.Args?.GetRawText());
        Assert.Equal("celery@w1", record.Worker);
        Assert.Equal(At(2), record.Timeline.Created);
        Assert.Null(record.Timeline.Pending);
        Assert.Equal(1, record.Version);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_RevokeOfUnknownId_CreatesRecordThatALaterReceivedKeeps()
    {
        var revoked = await Store.ApplyAsync("t1", RevokeRequested(1), default);

        Assert.True(revoked.WasApplied);
        var waiting = (await Store.GetAsync("t1", default))!;
        Assert.Null(waiting.Name);
        Assert.Equal(new RevokeRequest(At(1), Terminate: false), waiting.Revoke);

        var received = await Store.ApplyAsync("t1", Received(2), default);

        Assert.True(received.WasApplied);
        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(TaskState.Received, record.State);
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal(new RevokeRequest(At(1), Terminate: false), record.Revoke);
        Assert.Equal(2, record.Version);
    }

    [Fact(Timeout = Timeout)]
    public async Task IsRevokeRequestedAsync_SaysWhetherTheRecordCarriesARevoke()
    {
        await Store.ApplyAllAsync("plain", Accepted(1, kwargs: """{"revoke": true}"""), Received(2));
        await Store.ApplyAllAsync("revoked", Accepted(1), RevokeRequested(2));
        await Store.ApplyAllAsync("unseen", RevokeRequested(3, terminate: true));
        await Store.ApplyAllAsync("finished", Accepted(1), Received(2), Started(3), Succeeded(4));
        var late = await Store.ApplyAsync("finished", RevokeRequested(5), default);

        Assert.False(late.WasApplied);
        Assert.False(await Store.IsRevokeRequestedAsync("plain", default));
        Assert.True(await Store.IsRevokeRequestedAsync("revoked", default));
        Assert.True(await Store.IsRevokeRequestedAsync("unseen", default));
        Assert.False(await Store.IsRevokeRequestedAsync("finished", default));
        Assert.False(await Store.IsRevokeRequestedAsync("unknown", default));
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_AcceptedAfterRevoke_FillsTheDescriptionAndKeepsTheRevoke()
    {
        await Store.ApplyAllAsync("t1", RevokeRequested(1, terminate: true), Accepted(2));

        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal("tasks.add", record.Name);
        Assert.Equal(At(2), record.Timeline.Pending);
        Assert.Equal(At(1), record.Timeline.Created);
        Assert.Equal(new RevokeRequest(At(1), Terminate: true), record.Revoke);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_RevokeOfFinishedTask_IsIgnoredAndSaysSo()
    {
        await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Failed(4));

        var result = await Store.ApplyAsync("t1", RevokeRequested(5, terminate: true), default);

        Assert.False(result.WasApplied);
        Assert.Contains("already finished: FAILURE", result.Reason, StringComparison.Ordinal);
        Assert.Null((await Store.GetAsync("t1", default))!.Revoke);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_TerminateAfterPlainRevoke_UpgradesTheRequestAndAThirdIsIgnored()
    {
        await Store.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), RevokeRequested(4));

        var terminate = await Store.ApplyAsync("t1", RevokeRequested(5, terminate: true), default);
        var again = await Store.ApplyAsync("t1", RevokeRequested(6), default);

        Assert.True(terminate.WasApplied);
        Assert.False(again.WasApplied);
        Assert.Contains("already has a revoke request", again.Reason, StringComparison.Ordinal);
        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(new RevokeRequest(At(5), Terminate: true), record.Revoke);
        Assert.Equal(TaskState.Started, record.State);
        Assert.Equal(5, record.Version);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_AfterApply_ReturnsEveryFieldExactly()
    {
        var offset = TimeSpan.FromHours(5.5);
        var description = new TaskDescription("tasks.unicode", Json("""[ "Zürich \u00e9 \"q\"", {"n": 1.50, "deep": [null, true]} ]"""),
            Json("""{"emoji": "\ud83d\ude00", "big": 12345678901234567890}"""), Retries: 2,
            Eta: new DateTimeOffset(2025, 3, 1, 17, 30, 0, offset), Expires: new DateTimeOffset(2025, 3, 2, 17, 30, 0, offset).AddTicks(1234567),
            ParentId: "parent-1", RootId: "root-1");
        var received = new TaskReceived(At(1).ToOffset(offset), "celery@ü", description);
        var retried = new TaskRetried(At(2), "celery@ü", new Core.Protocol.TaskError("OSError", Json("""[2, "No such file: \u00e9"]"""), null), "tb\n\tline");

        TaskTransition[] transitions = [received, Started(1.5, "celery@ü"), retried, RevokeRequested(2.5, terminate: true), Started(4),
            Succeeded(5, """ {"x" : [1,2 ,3]} """, runtime: 0.1 + 0.2)];

        foreach (var transition in transitions)
        {
            var result = await Store.ApplyAsync("t1", transition, default);
            Assert.True(result.WasApplied, result.Reason);
            RecordAssert.Same(result.Record, await Store.GetAsync("t1", default));
            RecordAssert.Same(result.Record, Assert.Single((await Store.QueryAsync(new TaskRecordQuery(), default)).Items));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_ManyParallelStartsOnOneId_LoseNoUpdate()
    {
        const int Writers = 64;
        await Store.ApplyAsync("t1", Accepted(1), default);

        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i =>
            Task.Run(() => Store.ApplyAsync("t1", Started(2 + i, $"celery@w{i}"), default).AsTask())));

        Assert.All(results, r => Assert.True(r.WasApplied, r.Reason));
        // Each applied change saw the one before: the versions are exactly 2..Writers+1, once each.
        Assert.Equal(Enumerable.Range(2, Writers).Select(v => (long)v), results.Select(r => r.Record!.Version).Order());
        var record = (await Store.GetAsync("t1", default))!;
        Assert.Equal(Writers + 1, record.Version);
        var last = results.MaxBy(r => r.Record!.Version)!;
        RecordAssert.Same(last.Record, record);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_RacingTransitionsOnOneId_VersionsCountExactlyTheAppliedOnes()
    {
        const int Rounds = 20;
        for (var round = 0; round < Rounds; round++)
        {
            var id = $"race-{round}";
            await Store.ApplyAsync(id, Accepted(1), default);
            TaskTransition[] racing = [Received(2), Started(3), Succeeded(4), RevokeRequested(5), RevokeRequested(6, terminate: true), Started(7, "celery@b")];

            var results = await Task.WhenAll(racing.Select(t => Task.Run(() => Store.ApplyAsync(id, t, default).AsTask())));

            var applied = results.Where(r => r.WasApplied).Select(r => r.Record!.Version).Order().ToArray();
            Assert.Equal(Enumerable.Range(2, applied.Length).Select(v => (long)v), applied);
            var record = (await Store.GetAsync(id, default))!;
            Assert.Equal(1 + applied.Length, record.Version);
            Assert.All(results.Where(r => !r.WasApplied), r => Assert.False(string.IsNullOrEmpty(r.Reason)));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_LifecyclesOfManyIdsInParallel_AllEndConsistent()
    {
        const int Count = 200;
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            var id = $"task-{i:D3}";
            var versions = new List<long>();
            foreach (var transition in new TaskTransition[] { Accepted(i), Received(i + 1), Started(i + 2), Succeeded(i + 3, i.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
            {
                var result = await Store.ApplyAsync(id, transition, default);
                Assert.True(result.WasApplied, result.Reason);
                versions.Add(result.Record!.Version);
            }

            Assert.Equal([1L, 2, 3, 4], versions);
        })));

        for (var i = 0; i < Count; i++)
        {
            var record = (await Store.GetAsync($"task-{i:D3}", default))!;
            Assert.Equal(TaskState.Success, record.State);
            Assert.Equal(4, record.Version);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Result?.GetRawText());
        }

        Assert.Equal(Count, (await Store.CountByStateAsync(default))[TaskState.Success]);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_ByState_ReturnsOnlyThatState()
    {
        await Store.ApplyAllAsync("p1", Accepted(1));
        await Store.ApplyAllAsync("s1", Accepted(2), Received(3), Started(4));
        await Store.ApplyAllAsync("s2", Accepted(5), Received(6), Started(7));
        await Store.ApplyAllAsync("d1", Accepted(8), Received(9), Started(10), Succeeded(11));

        var page = await Store.QueryAsync(new TaskRecordQuery { State = TaskState.Started }, default);

        Assert.Equal(["s2", "s1"], page.Items.Select(r => r.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_ByRevokeRequested_ReturnsRecordsWithOrWithoutARevoke()
    {
        await Store.ApplyAllAsync("r1", Accepted(1), RevokeRequested(2));
        await Store.ApplyAllAsync("n1", Accepted(3));
        await Store.ApplyAllAsync("r2", RevokeRequested(4, terminate: true));

        var revoked = await Store.QueryAsync(new TaskRecordQuery { RevokeRequested = true }, default);
        var notRevoked = await Store.QueryAsync(new TaskRecordQuery { RevokeRequested = false }, default);

        Assert.Equal(["r2", "r1"], revoked.Items.Select(r => r.Id));
        Assert.Equal(["n1"], notRevoked.Items.Select(r => r.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_ByNameAndWorker_ReturnsOnlyMatchingRecords()
    {
        await Store.ApplyAllAsync("a1", Received(1, "celery@a", "tasks.add"));
        await Store.ApplyAllAsync("a2", Received(2, "celery@b", "tasks.add"));
        await Store.ApplyAllAsync("m1", Received(3, "celery@a", "tasks.mul"));
        await Store.ApplyAllAsync("p1", Accepted(4, "tasks.add"));

        var byName = await Store.QueryAsync(new TaskRecordQuery { Name = "tasks.add" }, default);
        var byWorker = await Store.QueryAsync(new TaskRecordQuery { Worker = "celery@a" }, default);
        var both = await Store.QueryAsync(new TaskRecordQuery { Name = "tasks.add", Worker = "celery@a" }, default);
        var neither = await Store.QueryAsync(new TaskRecordQuery { Name = "TASKS.ADD" }, default);

        Assert.Equal(["p1", "a2", "a1"], byName.Items.Select(r => r.Id));
        Assert.Equal(["m1", "a1"], byWorker.Items.Select(r => r.Id));
        Assert.Equal(["a1"], both.Items.Select(r => r.Id));
        Assert.Empty(neither.Items);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_NameAndWorkerLearnedOrChangedLater_ListTheRecordUnderTheNewOnesOnly()
    {
        // Created by a revoke (no name, no worker), named by its PENDING report, given a worker by RECEIVED.
        await Store.ApplyAllAsync("r1", RevokeRequested(1), Accepted(2, "tasks.mul"), Received(3, "celery@a", "tasks.mul"));
        // Retried by one worker and received again by another, then run to the end there.
        await Store.ApplyAllAsync("w1", Received(4, "celery@a"), Started(5, "celery@a"), Retried(6, "celery@a"), Received(7, "celery@b"),
            Started(8, "celery@b"), Succeeded(9, worker: "celery@b"));

        var mul = await Store.QueryAsync(new TaskRecordQuery { Name = "tasks.mul" }, default);
        var onA = await Store.QueryAsync(new TaskRecordQuery { Worker = "celery@a" }, default);
        var onB = await Store.QueryAsync(new TaskRecordQuery { Worker = "celery@b" }, default);
        var succeeded = await Store.QueryAsync(new TaskRecordQuery { State = TaskState.Success }, default);
        var received = await Store.QueryAsync(new TaskRecordQuery { State = TaskState.Received }, default);

        Assert.Equal(["r1"], mul.Items.Select(r => r.Id));
        Assert.Equal(["r1"], onA.Items.Select(r => r.Id));
        Assert.Equal(["w1"], onB.Items.Select(r => r.Id));
        Assert.Equal(["w1"], succeeded.Items.Select(r => r.Id));
        Assert.Equal(["r1"], received.Items.Select(r => r.Id));
        Assert.Equal(At(1), (await Store.GetAsync("r1", default))!.Timeline.Created);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_ByTimeRange_IncludesFromAndExcludesTo()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.ApplyAllAsync($"t{i}", Accepted(i));
        }

        var page = await Store.QueryAsync(new TaskRecordQuery { From = At(3), To = At(7) }, default);
        var fromOnly = await Store.QueryAsync(new TaskRecordQuery { From = At(8).ToOffset(TimeSpan.FromHours(-3)) }, default);

        Assert.Equal(["t6", "t5", "t4", "t3"], page.Items.Select(r => r.Id));
        Assert.Equal(["t9", "t8"], fromOnly.Items.Select(r => r.Id));
    }

    public static TheoryData<string, string[]> TextSearches => new()
    {
        { "REPORT-abc", ["report-ABC-1"] },
        { "hello world", ["t-args"] },
        { "zÜRICH", ["t-kwargs"] },
        { "\"label\": \"done\"", ["t-result"] },
        { "cafe", [] },
        { "report", ["report-ABC-1"] },
        { "t-", ["t-result", "t-kwargs", "t-args", "report-ABC-1"] },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(TextSearches))]
    public async Task QueryAsync_ByText_MatchesIdArgsKwargsAndResultIgnoringCase(string text, string[] expected)
    {
        await Store.ApplyAllAsync("report-ABC-1", Accepted(1, args: "[1]"));
        await Store.ApplyAllAsync("t-args", Accepted(2, args: """["Hello World", 2]"""));
        await Store.ApplyAllAsync("t-kwargs", Accepted(3, kwargs: """{"city": "Zürich"}"""));
        await Store.ApplyAllAsync("t-result", Accepted(4), Received(5), Started(6), Succeeded(7, """{"total": 42, "label": "Done"}"""));

        var page = await Store.QueryAsync(new TaskRecordQuery { Text = text }, default);

        Assert.Equal(expected, page.Items.Select(r => r.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_NoFilter_ReturnsNewestFirstWithTheIdBreakingTies()
    {
        await Store.ApplyAllAsync("b", Accepted(1));
        await Store.ApplyAllAsync("c", Accepted(1));
        await Store.ApplyAllAsync("a", Accepted(1));
        await Store.ApplyAllAsync("old", Accepted(0));
        await Store.ApplyAllAsync("new", Accepted(2));

        var page = await Store.QueryAsync(new TaskRecordQuery(), default);

        Assert.Equal(["new", "c", "b", "a", "old"], page.Items.Select(r => r.Id));
        Assert.Null(page.NextCursor);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_PagingWithCursors_ReturnsEachRecordOnceWhileNewRecordsArrive()
    {
        // 30 records, some sharing a creation time, so pages also end inside a run of equal times.
        var expected = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = $"t{i:D2}";
            await Store.ApplyAllAsync(id, Accepted(i / 3));
            expected.Add(id);
        }

        expected.Reverse();
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.QueryAsync(new TaskRecordQuery { Limit = 4, Cursor = cursor }, default);
            Assert.InRange(page.Items.Count, 1, 4);
            seen.AddRange(page.Items.Select(r => r.Id));
            cursor = page.NextCursor;
            // Newer tasks keep arriving between pages (one, also a worker-created one); they sort before the cursor.
            await Store.ApplyAllAsync($"late-{pages}", Accepted(100 + pages));
            await Store.ApplyAllAsync($"late-received-{pages}", Received(100 + pages));
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(8, pages);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_PagingWithAFilter_ReturnsEachMatchOnce()
    {
        for (var i = 0; i < 12; i++)
        {
            await Store.ApplyAllAsync($"t{i:D2}", Accepted(i, i % 2 == 0 ? "tasks.even" : "tasks.odd"));
        }

        var first = await Store.QueryAsync(new TaskRecordQuery { Name = "tasks.even", Limit = 4 }, default);
        var second = await Store.QueryAsync(new TaskRecordQuery { Name = "tasks.even", Limit = 4, Cursor = first.NextCursor }, default);

        Assert.Equal(["t10", "t08", "t06", "t04"], first.Items.Select(r => r.Id));
        Assert.Equal(["t02", "t00"], second.Items.Select(r => r.Id));
        Assert.Null(second.NextCursor);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0, 1)]
    [InlineData(-7, 1)]
    [InlineData(3, 3)]
    [InlineData(TaskRecordQuery.MaxLimit + 1, TaskRecordQuery.MaxLimit)]
    [InlineData(int.MaxValue, TaskRecordQuery.MaxLimit)]
    public async Task QueryAsync_Limit_IsClampedToOneThroughMaxLimit(int limit, int expected)
    {
        await Task.WhenAll(Enumerable.Range(0, TaskRecordQuery.MaxLimit + 2).Select(i =>
            Task.Run(() => Store.ApplyAsync($"t{i:D4}", Accepted(i), default).AsTask())));

        var page = await Store.QueryAsync(new TaskRecordQuery { Limit = limit }, default);

        Assert.Equal(expected, page.Items.Count);
        Assert.Equal($"t{TaskRecordQuery.MaxLimit + 1:D4}", page.Items[0].Id);
        Assert.NotNull(page.NextCursor);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("not a cursor!")]
    [InlineData("")]
    [InlineData("bm8tY29sb24")]
    [InlineData("eHl6OnQx")]
    public async Task QueryAsync_InvalidCursor_ThrowsFormatException(string cursor)
    {
        await Store.ApplyAllAsync("t1", Accepted(1));

        await Assert.ThrowsAsync<FormatException>(() => Store.QueryAsync(new TaskRecordQuery { Cursor = cursor }, default).AsTask());
    }

    [Fact(Timeout = Timeout)]
    public async Task CountByStateAsync_CountsEachState()
    {
        Assert.Empty(await Store.CountByStateAsync(default));
        await Store.ApplyAllAsync("p1", Accepted(1));
        await Store.ApplyAllAsync("p2", Accepted(2));
        await Store.ApplyAllAsync("r1", Received(3));
        await Store.ApplyAllAsync("s1", Received(4), Started(5));
        await Store.ApplyAllAsync("ok1", Received(6), Started(7), Succeeded(8));
        await Store.ApplyAllAsync("ok2", Received(9), Started(10), Succeeded(11));
        await Store.ApplyAllAsync("f1", Received(12), Started(13), Failed(14));
        await Store.ApplyAllAsync("x1", Received(15), Revoked(16));

        var counts = await Store.CountByStateAsync(default);

        Assert.Equal(
            new Dictionary<TaskState, long>
            {
                [TaskState.Pending] = 2, [TaskState.Received] = 1, [TaskState.Started] = 1,
                [TaskState.Success] = 2, [TaskState.Failure] = 1, [TaskState.Revoked] = 1,
            },
            counts.Where(c => c.Value > 0).ToDictionary());
    }
}
