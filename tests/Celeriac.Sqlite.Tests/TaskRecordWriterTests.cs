using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.Sqlite.Tests;

/// <summary>One batch, one transaction: what the writer does with the changes it is given.</summary>
public sealed class TaskRecordWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-sqlite-tests", Guid.NewGuid().ToString("N"));
    private readonly TaskRecordWriter _writer;

    public TaskRecordWriterTests()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "tasks.db");
        var connection = SqliteDatabase.Open(path, TimeSpan.FromSeconds(5), reader: false);
        SqliteDatabase.Prepare(connection, TimeSpan.FromSeconds(5), TimeProvider.System);
        _writer = new TaskRecordWriter(connection, TimeSpan.FromSeconds(5), TimeProvider.System);
    }

    public void Dispose()
    {
        _writer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact(Timeout = 10_000)]
    public async Task TryApplyAsync_SeveralChangesToOneIdInOneBatch_EachSeesTheOneBefore()
    {
        var batch = Batch(("t1", Accepted(1)), ("t2", Received(1)), ("t1", Received(2)), ("t1", Received(3, "celery@b")), ("t1", Started(4)),
            ("t1", Accepted(5)), ("t1", Succeeded(6)), ("t2", Started(7)), ("t1", Started(8)));

        var (conflict, results, errors) = await ApplyAsync(batch);

        Assert.Null(conflict);
        Assert.All(errors, Assert.Null);
        Assert.Equal(
            ["PENDING 1", "RECEIVED 1", "RECEIVED 2", "RECEIVED 3", "STARTED 4", "ignored STARTED 4", "SUCCESS 5", "STARTED 2", "ignored SUCCESS 5"],
            results.Select(r => $"{(r!.WasApplied ? "" : "ignored ")}{r.Record!.State.ToWireName()} {r.Record.Version}"));
    }

    [Fact(Timeout = 10_000)]
    public async Task TryApplyAsync_ChangesThatCannotBeAppliedOrStored_FailAloneAndTheRestCommit()
    {
        // The state machine throws on a transition it does not know; a JSON value without a value cannot be written.
        var unstorable = new TaskFinished(At(4), "celery@a", TaskOutcome.Failure(new TaskError("ValueError", default, "builtins"), null, null));
        var batch = Batch(("t1", Accepted(1)), ("t1", new UnknownTransition(At(2))), ("t1", Received(3)), ("t1", unstorable), ("t2", Received(5)));

        var (conflict, results, errors) = await ApplyAsync(batch);
        var (_, after, _) = await ApplyAsync(Batch(("t1", Started(6))));

        Assert.Null(conflict);
        Assert.Equal([null, typeof(ArgumentException), null, typeof(InvalidOperationException), null], errors.Select(e => e?.GetType()));
        Assert.Equal(TaskState.Received, results[2]!.Record!.State);
        Assert.Equal(1, results[4]!.Record!.Version);
        Assert.Equal(TaskState.Started, after[0]!.Record!.State);
        Assert.Equal(3, after[0]!.Record!.Version);
    }

    [Fact(Timeout = 10_000)]
    public async Task TryApplyAsync_RecordChangedByAnotherWriterSinceThisOneWroteIt_AppliesToTheStoredRecord()
    {
        // Another process's writer on the same file: this writer keeps the records it wrote, and must notice the row moved on.
        var otherConnection = SqliteDatabase.Open(Path.Combine(_directory, "tasks.db"), TimeSpan.FromSeconds(5), reader: false);
        using var other = new TaskRecordWriter(otherConnection, TimeSpan.FromSeconds(5), TimeProvider.System);
        await ApplyAsync(Batch(("t1", Accepted(1)), ("t1", Received(2, "celery@a"))));

        await ApplyAsync(other, Batch(("t1", RevokeRequested(3))));
        var (conflict, results, errors) = await ApplyAsync(Batch(("t1", Started(4, "celery@a"))));
        var (_, next, _) = await ApplyAsync(Batch(("t1", Succeeded(5, worker: "celery@a"))));

        Assert.Null(conflict);
        Assert.Null(errors[0]);
        Assert.Equal(TaskState.Started, results[0]!.Record!.State);
        Assert.Equal(new RevokeRequest(At(3), Terminate: false), results[0]!.Record!.Revoke);
        Assert.Equal(4, results[0]!.Record!.Version);
        Assert.Equal(5, next[0]!.Record!.Version);
        Assert.Equal(new RevokeRequest(At(3), Terminate: false), next[0]!.Record!.Revoke);
    }

    private Task<(string? Conflict, TransitionResult?[] Results, Exception?[] Errors)> ApplyAsync(PendingApply[] batch) => ApplyAsync(_writer, batch);

    private static async Task<(string? Conflict, TransitionResult?[] Results, Exception?[] Errors)> ApplyAsync(TaskRecordWriter writer, PendingApply[] batch)
    {
        var results = new TransitionResult?[batch.Length];
        var errors = new Exception?[batch.Length];
        var conflict = await writer.TryApplyAsync(batch, results, errors);
        return (conflict, results, errors);
    }

    private static PendingApply[] Batch(params (string Id, TaskTransition Transition)[] changes) =>
        changes.Select(c => new PendingApply(c.Id, c.Transition, CancellationToken.None)).ToArray();

    private sealed record UnknownTransition(DateTimeOffset At) : TaskTransition(At)
    {
        public override TaskState? Target => TaskState.Received;

        public override IReadOnlySet<TaskState> From => new HashSet<TaskState> { TaskState.Pending };
    }
}
