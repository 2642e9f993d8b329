using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Benchmarks;

/// <summary>
/// What the task record store costs per task: the API's accepted (PENDING) and the worker's received, started
/// and finished, each awaited in turn as the API and a worker would. Each of C lanes runs tasks one after the
/// other for a fixed time; C is the number of tasks in flight at once (the worker's concurrency).
/// </summary>
internal static class StoreBenchmark
{
    private static readonly JsonElement s_args = JsonElement.Parse("""[2, 3]""");
    private static readonly JsonElement s_kwargs = JsonElement.Parse("""{"note": "benchmark"}""");
    private static readonly JsonElement s_result = JsonElement.Parse("5");

    public static async Task RunAsync(TimeSpan duration, string directory)
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"Store benchmark: {duration.TotalSeconds:0.#} s per row after a warm-up, files in {directory}, {Environment.ProcessorCount} cores");
        Console.WriteLine("Each task = 4 awaited writes: accepted, received, started, finished (SUCCESS). SQLite: WAL, synchronous=FULL.");
        Console.WriteLine();
        Console.WriteLine($"{"store",-26} {"concurrency",11} {"tasks",8} {"tasks/s",10} {"µs/task",9} {"CPU µs/task",12} {"writes/commit",14}");
        foreach (var (name, maxBatch) in new[] { ("in-memory", 0), ("sqlite batched", SqliteTaskStoreOptions.DefaultMaxBatchSize), ("sqlite 1 tx per write", 1) })
        {
            foreach (var concurrency in new[] { 1, 8, 64 })
            {
                var path = Path.Combine(directory, $"bench-{Guid.NewGuid():N}.db");
                var commits = new CommitCounter();
                ITaskStore store = maxBatch == 0
                    ? new InMemoryTaskStore()
                    : new SqliteTaskStore(Options.Create(new SqliteTaskStoreOptions { FilePath = path, MaxBatchSize = maxBatch }), commits, TimeProvider.System);
                try
                {
                    await RunLanesAsync(store, concurrency, TimeSpan.FromSeconds(0.5), "warmup");
                    commits.Reset();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var (tasks, elapsed) = await RunLanesAsync(store, concurrency, duration, "run");
                    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    var perCommit = commits.Commits == 0 ? "-" : ((double)commits.Writes / commits.Commits).ToString("0.0", CultureInfo.InvariantCulture);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name,-26} {concurrency,11} {tasks,8} {tasks / elapsed.TotalSeconds,10:0} {elapsed.TotalMicroseconds / tasks,9:0.0} {cpu.TotalMicroseconds / tasks,12:0.0} {perCommit,14}"));
                }
                finally
                {
                    if (store is IAsyncDisposable disposable)
                    {
                        await disposable.DisposeAsync();
                    }

                    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                    {
                        File.Delete(file);
                    }
                }
            }
        }
    }

    private static async Task<(long Tasks, TimeSpan Elapsed)> RunLanesAsync(ITaskStore store, int concurrency, TimeSpan duration, string prefix)
    {
        long tasks = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(lane => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{lane}-{i}");
                var now = DateTimeOffset.UtcNow;
                await Expect(store.ApplyAsync(id, new TaskAccepted(now, new TaskDescription("tasks.add", s_args, s_kwargs)), default));
                await Expect(store.ApplyAsync(id, new TaskReceived(now, "celery@bench", new TaskDescription("tasks.add", s_args, s_kwargs)), default));
                await Expect(store.ApplyAsync(id, new TaskStarted(now, "celery@bench"), default));
                await Expect(store.ApplyAsync(id, new TaskFinished(now, "celery@bench", TaskOutcome.Success(s_result, TimeSpan.FromMilliseconds(1))), default));
                Interlocked.Increment(ref tasks);
            }
        })));
        return (tasks, clock.Elapsed);
    }

    private static async Task Expect(ValueTask<TransitionResult> apply)
    {
        var result = await apply;
        if (!result.WasApplied)
        {
            throw new InvalidOperationException($"A benchmark write was ignored: {result.Reason}");
        }
    }

    /// <summary>Counts the store's commits and the writes in them, from its "committed N changes" debug line.</summary>
    private sealed class CommitCounter : ILogger<SqliteTaskStore>
    {
        private long _commits;
        private long _writes;

        public long Commits => Interlocked.Read(ref _commits);

        public long Writes => Interlocked.Read(ref _writes);

        public void Reset()
        {
            Interlocked.Exchange(ref _commits, 0);
            Interlocked.Exchange(ref _writes, 0);
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is 3004 or 3005 && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "Count").Value is int count)
            {
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _writes, count);
            }
            else if (logLevel >= LogLevel.Warning)
            {
                Console.Error.WriteLine(formatter(state, exception));
            }
        }
    }
}
