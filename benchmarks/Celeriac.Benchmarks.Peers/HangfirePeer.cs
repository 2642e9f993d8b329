using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;
using Hangfire.Storage;
using Hangfire.Storage.SQLite;

namespace Celeriac.Benchmarks.Peers;

/// <summary>The job Hangfire runs: nothing.</summary>
public static class Jobs
{
    public static void Noop()
    {
    }
}

/// <summary>Hangfire 1.8 with its server draining pre-enqueued jobs, on PostgreSQL or on SQLite.</summary>
internal static class HangfirePeer
{
    public static int Load(string kind, string connection, int count)
    {
        var storage = Storage(kind, connection);
        var client = new BackgroundJobClient(storage);
        // Several enqueuers, as several web requests would; the storage takes them in its own transactions.
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => client.Enqueue(() => Jobs.Noop()));
        return 0;
    }

    public static int Work(string kind, string connection, Meter meter, int workers)
    {
        var storage = Storage(kind, connection);
        var count = meter.Count;
        GlobalJobFilters.Filters.Add(new SucceededCounter(meter));
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = workers,
            ServerName = "bench",
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        }, storage);
        Console.WriteLine("peer ready");
        meter.Done.Wait();
        // Counted just before each state change commits: give the last commits a moment to land, then check them all.
        var succeeded = 0L;
        for (var attempt = 0; attempt < 100 && (succeeded = storage.GetMonitoringApi().SucceededListCount()) < count; attempt++)
        {
            Thread.Sleep(100);
        }

        if (succeeded < count)
        {
            Console.Error.WriteLine($"only {succeeded} of {count} jobs succeeded");
            return 1;
        }

        meter.Print();
        return 0;
    }

    private static JobStorage Storage(string kind, string connection) => kind switch
    {
        // Polling only matters for an empty queue: with jobs waiting, a worker fetches the next one at once.
        "pg" => new PostgreSqlStorage(new NpgsqlConnectionFactory(connection, new PostgreSqlStorageOptions()),
            new PostgreSqlStorageOptions { SchemaName = SchemaFrom(connection), QueuePollInterval = TimeSpan.FromMilliseconds(200), PrepareSchemaIfNecessary = true }),
        "sqlite" => new SQLiteStorage(connection, new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(200) }),
        _ => throw new ArgumentException($"unknown storage '{kind}'"),
    };

    // "...;SearchPath=hf_x" names the run's schema; Hangfire.PostgreSql takes its schema from the options.
    private static string SchemaFrom(string connection) =>
        connection.Split(';').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("SearchPath", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault() ?? "hangfire";

    /// <summary>Counts a job when it reaches Succeeded (inside the state change, just before its commit).</summary>
    private sealed class SucceededCounter(Meter meter) : JobFilterAttribute, IApplyStateFilter
    {
        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            if (context.NewState is SucceededState)
            {
                meter.Finished();
            }
        }

        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }
    }
}
