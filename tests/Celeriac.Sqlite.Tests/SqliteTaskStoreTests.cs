using System.Diagnostics;
using System.Globalization;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.Records.Testing;
using Celeriac.Sqlite.Tests.Support;
using Microsoft.Extensions.Options;
using static Celeriac.Records.Testing.Tasks;

namespace Celeriac.Sqlite.Tests;

/// <summary>The store contract against a SQLite file (a new one per test, deleted after), and what only a file can show.</summary>
public sealed class SqliteTaskStoreTests(ITestOutputHelper output) : TaskStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "celeriac-sqlite-tests", Guid.NewGuid().ToString("N"));
    private readonly List<SqliteTaskStore> _opened = [];
    private readonly TestOutputLogger<SqliteTaskStore> _logger = new(output);

    private string DatabasePath => Path.Combine(_directory, "tasks.db");

    protected override Task<ITaskStore> CreateStoreAsync() => Task.FromResult<ITaskStore>(Open());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Open_NewFile_UsesWalAndRecordsTheSchemaVersion()
    {
        await Store.ApplyAsync("t1", Accepted(1), default);

        using var raw = SqliteFiles.OpenRaw(DatabasePath);
        Assert.Equal("wal", raw.Scalar("PRAGMA journal_mode;"));
        Assert.Equal(1L, raw.Scalar("PRAGMA user_version;"));
        Assert.Equal(4L, raw.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'task_records_by_%';"));
        Assert.Equal("PENDING", raw.Scalar("SELECT state FROM task_records WHERE id = 't1';"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Open_FileOfANewerSchema_RefusesIt()
    {
        Directory.CreateDirectory(_directory);
        using (var raw = SqliteFiles.OpenRaw(DatabasePath))
        {
            raw.Execute("PRAGMA user_version = 99;");
        }

        await using var store = Open();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetAsync("t1", default).AsTask());
        Assert.Contains("newer Celeriac (schema version 99)", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task Records_AfterClosingAndReopeningTheFile_AreStillThere()
    {
        var first = Open();
        var finished = await first.ApplyAllAsync("t1", Accepted(1), Received(2), Started(3), Succeeded(4, "[1, 2]"));
        var pending = await first.ApplyAllAsync("t2", Accepted(5));
        await first.DisposeAsync();

        await using var reopened = Open();

        RecordAssert.Same(finished.Record, await reopened.GetAsync("t1", default));
        RecordAssert.Same(pending.Record, await reopened.GetAsync("t2", default));
        Assert.Equal(["t2", "t1"], (await reopened.QueryAsync(new TaskRecordQuery(), default)).Items.Select(r => r.Id));
        Assert.True((await reopened.ApplyAsync("t2", Received(6), default)).WasApplied);
        // The schema was created once; opening it again found it current.
        Assert.Single(_logger.Entries, e => e.Event.Id == 3001);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_WhenItReturns_TheChangeIsCommitted()
    {
        for (var i = 1; i <= 5; i++)
        {
            var result = await Store.ApplyAsync("t1", i == 1 ? Accepted(1) : Started(i), default);

            // Another connection, as another process would read it: the change is already there.
            using var raw = SqliteFiles.OpenRaw(DatabasePath);
            Assert.Equal(result.Record!.Version, raw.Scalar("SELECT version FROM task_records WHERE id = 't1';"));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_WhileAnotherConnectionHoldsTheWriteLock_CommitsTheQueuedChangesTogetherInOrder()
    {
        await Store.ApplyAsync("warm-up", Accepted(0), default);
        using var blocker = SqliteFiles.OpenRaw(DatabasePath);
        blocker.Execute("BEGIN IMMEDIATE;");

        var lifecycle = new TaskTransition[] { Accepted(1), Received(2), Started(3), Succeeded(4) }
            .Select(t => Store.ApplyAsync("t1", t, default).AsTask()).ToArray();
        var others = Enumerable.Range(0, 20).Select(i => Store.ApplyAsync($"other-{i}", Received(i), default).AsTask()).ToArray();

        // Nothing can be committed while the lock is held, so no caller may have its answer yet.
        Assert.DoesNotContain(lifecycle.Concat(others), t => t.IsCompleted);
        blocker.Execute("ROLLBACK;");
        var results = await Task.WhenAll(lifecycle);
        await Task.WhenAll(others);

        Assert.Equal([TaskState.Pending, TaskState.Received, TaskState.Started, TaskState.Success], results.Select(r => r.Record!.State));
        Assert.Equal([1L, 2, 3, 4], results.Select(r => r.Record!.Version));
        // The writer took what was queued when it woke (at least one change) and waited for the lock; everything
        // queued meanwhile went in the next transaction together.
        var batchSizes = _logger.Entries.Where(e => e.Event.Id == 3004).Skip(1)
            .Select(e => Convert.ToInt32(e.Values.First(v => v.Key == "Count").Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(24, batchSizes.Sum());
        Assert.InRange(batchSizes.Length, 1, 2);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_CallerThatBlocksWhereItIsAnswered_DoesNotHoldUpTheWriter()
    {
        await Store.ApplyAsync("warm-up", Accepted(0), default);

        // Runs where the first change is answered, and waits there, synchronously, for a change only a later commit can
        // answer: answered on the writer's own thread, it would wait for itself (for 10 s, so the test fails, not hangs).
        var first = Store.ApplyAsync("t1", Accepted(1), default).AsTask();
        var secondAnswered = first.ContinueWith(_ => Store.ApplyAsync("t2", Accepted(2), default).AsTask().Wait(TimeSpan.FromSeconds(10)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        Assert.True(await secondAnswered, "The second change was not answered while the first one's caller waited for it.");
        Assert.Equal(TaskState.Pending, (await Store.GetAsync("t2", default))!.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_CancelledWhileWaitingForTheWriter_ReturnsAtOnce()
    {
        await Store.ApplyAsync("warm-up", Accepted(0), default);
        using var blocker = SqliteFiles.OpenRaw(DatabasePath);
        blocker.Execute("BEGIN IMMEDIATE;");
        using var cancel = new CancellationTokenSource();

        var waiting = Store.ApplyAsync("t1", Accepted(1), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        blocker.Execute("ROLLBACK;");
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_WithMaxBatchSizeOne_AppliesEveryChangeInItsOwnTransaction()
    {
        await using var store = Open(o => o.MaxBatchSize = 1);
        await store.ApplyAsync("t1", Accepted(1), default);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => store.ApplyAsync("t1", Started(2 + i), default).AsTask())));

        Assert.Equal(Enumerable.Range(2, 32).Select(v => (long)v), results.Select(r => r.Record!.Version).Order());
        var batchSizes = _logger.Entries.Where(e => e.Event.Id == 3004).Select(e => e.Values.First(v => v.Key == "Count").Value).ToArray();
        Assert.Equal(33, batchSizes.Length);
        Assert.All(batchSizes, size => Assert.Equal(1, size));
    }

    [Fact(Timeout = Timeout)]
    public async Task DisposeAsync_WithChangesQueued_WritesThemBeforeClosing()
    {
        var store = Open();
        var queued = Enumerable.Range(0, 300).Select(i => store.ApplyAsync($"t{i}", Accepted(i), default).AsTask()).ToArray();

        await store.DisposeAsync();

        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully && t.Result.WasApplied));
        Assert.Throws<ObjectDisposedException>(() => store.ApplyAsync("late", Accepted(1), default));
        await using var reopened = Open();
        Assert.Equal(300, (await reopened.CountByStateAsync(default))[TaskState.Pending]);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_TwoStoresOnOneFile_LoseNothing()
    {
        const int PerStore = 100;
        await using var a = Open();
        await using var b = Open();
        await a.ApplyAsync("shared", Accepted(0), default);

        var results = await Task.WhenAll(new[] { (Store: a, Name: "a"), (Store: b, Name: "b") }.SelectMany(s => Enumerable.Range(0, PerStore).Select(i => Task.Run(async () =>
        {
            var started = await s.Store.ApplyAsync("shared", Started(1 + i, $"celery@{s.Name}"), default);
            await s.Store.ApplyAllAsync($"{s.Name}-{i}", Received(i, $"celery@{s.Name}"));
            return started;
        }))));

        Assert.Equal(Enumerable.Range(2, 2 * PerStore).Select(v => (long)v), results.Select(r => r.Record!.Version).Order());
        Assert.Equal(2 * PerStore + 1, (await b.GetAsync("shared", default))!.Version);
        Assert.Equal(2 * PerStore, (await a.CountByStateAsync(default))[TaskState.Received]);
    }

    [Fact(Timeout = Timeout)]
    public async Task ApplyAsync_WithASecondProcessWritingTheSameFile_LosesNothing()
    {
        const int PerProcess = 100;
        await Store.ApplyAsync("shared", Accepted(0), default);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var child = StartWriterProcess("shared", PerProcess, "child-");
        try
        {
            var ready = await child.StandardOutput.ReadLineAsync(deadline.Token);
            if (ready != "ready")
            {
                Assert.Fail($"The writer process said '{ready}' instead of 'ready': {await child.StandardError.ReadToEndAsync(deadline.Token)}");
            }

            await child.StandardInput.WriteLineAsync("go");
            await child.StandardInput.FlushAsync(deadline.Token);
            var mine = await Task.WhenAll(Enumerable.Range(0, PerProcess).Select(i => Task.Run(async () =>
            {
                var started = await Store.ApplyAsync("shared", Started(1 + i, "celery@parent"), default);
                await Store.ApplyAllAsync($"parent-{i}", Received(i, "celery@parent"));
                return started.Record!.Version;
            })));
            var theirs = (await child.StandardOutput.ReadToEndAsync(deadline.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            await child.WaitForExitAsync(deadline.Token);

            output.WriteLine($"child exited {child.ExitCode}; {await child.StandardError.ReadToEndAsync(deadline.Token)}");
            Assert.Equal(0, child.ExitCode);
            Assert.Equal("done", theirs[^1]);
            var childVersions = theirs[..^1].Select(line => line.Split(' ')).ToArray();
            Assert.All(childVersions, parts => Assert.Equal("applied", parts[0]));
            Assert.Equal(Enumerable.Range(2, 2 * PerProcess).Select(v => (long)v),
                mine.Concat(childVersions.Select(parts => long.Parse(parts[1], CultureInfo.InvariantCulture))).Order());
            Assert.Equal(2 * PerProcess + 1, (await Store.GetAsync("shared", default))!.Version);
            Assert.Equal(2 * PerProcess, (await Store.CountByStateAsync(default))[TaskState.Received]);
            Assert.Equal("child", (await Store.GetAsync($"child-{PerProcess - 1}", default))!.Worker);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("MaxBatchSize", "SqliteTaskStoreOptions.MaxBatchSize (Celeriac:Sqlite:MaxBatchSize) must be between 1")]
    [InlineData("BusyTimeout", "SqliteTaskStoreOptions.BusyTimeout (Celeriac:Sqlite:BusyTimeout) must be positive")]
    [InlineData("FilePath", "SqliteTaskStoreOptions.FilePath (Celeriac:Sqlite:FilePath) must not be blank")]
    public void Constructor_InvalidOptions_ThrowsSayingWhich(string setting, string message)
    {
        var options = new SqliteTaskStoreOptions { FilePath = DatabasePath };
        switch (setting)
        {
            case "MaxBatchSize": options.MaxBatchSize = 0; break;
            case "BusyTimeout": options.BusyTimeout = TimeSpan.Zero; break;
            default: options.FilePath = "  "; break;
        }

        var error = Assert.Throws<OptionsValidationException>(() => new SqliteTaskStore(Options.Create(options), _logger, TimeProvider.System));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    private SqliteTaskStore Open(Action<SqliteTaskStoreOptions>? configure = null)
    {
        var options = new SqliteTaskStoreOptions { FilePath = DatabasePath };
        configure?.Invoke(options);
        var store = new SqliteTaskStore(Options.Create(options), _logger, TimeProvider.System);
        _opened.Add(store);
        return store;
    }

    // This test assembly, run as a program: see WriterProcess.
    private Process StartWriterProcess(string sharedId, int count, string prefix)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", typeof(WriterProcess).Assembly.Location, WriterProcess.Command, DatabasePath, sharedId, count.ToString(CultureInfo.InvariantCulture), prefix })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the writer process.");
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
