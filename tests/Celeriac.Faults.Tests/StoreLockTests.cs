using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Faults.Tests.Support;
using Celeriac.Testing;
using Microsoft.Data.Sqlite;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 3: another process holds the record store's write lock (<c>BEGIN EXCLUSIVE</c> on <c>tasks.db</c>) for
/// <see cref="LockSeconds"/> s while tasks are enqueued over HTTP to a real <c>celeriac serve</c> with its worker. Requests
/// that must write a record answer 503 with <c>Retry-After</c>; the worker acknowledges no task it could not record and backs
/// off instead of spinning; once the lock is gone every accepted task ends SUCCESS with its result, recorded once.
/// </summary>
public sealed partial class StoreLockTests(ITestOutputHelper output) : OwnProcessesFaultTest(output, "lock")
{
    private const int LockSeconds = 30;
    private const int TasksWhileLocked = 20;
    private const string BusyTimeout = "00:00:02";

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task StoreLocked_TasksEnqueuedWhileAnotherProcessHoldsTheWriteLock_503sNoAckWithoutRecordAllConvergeAfter()
    {
        var vhost = VirtualHost;
        // A short busy timeout (the default is 10 s) so a locked store is noticed quickly.
        await using var server = await CeleriacServerProcess.StartAsync(vhost, DataDirectory, Log.WriteLine, concurrency: 2,
            environment: new Dictionary<string, string> { ["Celeriac__Sqlite__BusyTimeout"] = BusyTimeout });
        using var http = server.CreateClient();
        var warm = await EnqueueAsync(http, 0);
        await WaitForSuccessAsync(http, warm, 1);

        var accepted = new Dictionary<string, long>(StringComparer.Ordinal);
        var revokeStatuses = new List<HttpStatusCode>();
        var readStatuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        long queuedAtRelease;
        var clock = Stopwatch.StartNew();
        var logLinesBefore = server.Process.Lines.Count;
        await using (var holder = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "tasks.db"), Pooling = false }.ToString()))
        {
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            Output.WriteLine("---- the store is locked ----");
            var lockedAt = clock.Elapsed;
            // Accepted all the same once the broker confirmed them; their records are written when the store is back.
            foreach (var (id, i) in await Task.WhenAll(Enumerable.Range(1, TasksWhileLocked).Select(async i => (await EnqueueAsync(http, i), i))))
            {
                accepted[id] = i + 1;
            }

            while (clock.Elapsed - lockedAt < TimeSpan.FromSeconds(LockSeconds - 5))
            {
                // A revoke must be recorded before it is broadcast: 503 while the store cannot take it.
                using (var revoke = await http.PostAsync($"api/tasks/{Guid.NewGuid()}/revoke", content: null))
                {
                    revokeStatuses.Add(revoke.StatusCode);
                    retryAfter ??= revoke.Headers.RetryAfter?.Delta;
                }

                // Reads go on: the store is in WAL mode, where a writer never blocks readers.
                using (var read = await http.GetAsync($"api/tasks/{warm}"))
                {
                    readStatuses.Add(read.StatusCode);
                }
            }

            // Nothing the worker could not record was acknowledged: every task is still in the queue (ready or unacked).
            await Eventually.WaitAsync(async () => await vhost.GetQueueCountsAsync("celery") is { } counts && counts.Ready + counts.Unacknowledged == accepted.Count,
                FaultTimeouts.Short, $"the broker to hold all {accepted.Count} tasks enqueued while the store was locked");
            var queued = await vhost.GetQueueCountsAsync("celery");
            queuedAtRelease = queued!.Ready + queued.Unacknowledged;
            Assert.Equal(0, CountFinal(holder, accepted.Keys));
            Assert.True(clock.Elapsed - lockedAt >= TimeSpan.FromSeconds(LockSeconds - 5));
            Output.WriteLine("---- the store is released ----");
        }

        var releasedAt = clock.Elapsed;
        foreach (var (id, expected) in accepted)
        {
            await WaitForSuccessAsync(http, id, expected);
        }

        var converged = clock.Elapsed - releasedAt;

        // Each task recorded once: the listing names every id once.
        var listed = new List<string>();
        for (string? cursor = ""; cursor is not null;)
        {
            using var response = await http.GetAsync($"api/tasks?name=tasks.add&limit=500{(cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : "")}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            listed.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!));
            cursor = page.RootElement.TryGetProperty("nextCursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        }

        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.True(listed.ToHashSet(StringComparer.Ordinal).IsSupersetOf(accepted.Keys));

        Assert.NotEmpty(revokeStatuses);
        Assert.All(revokeStatuses, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.NotNull(retryAfter);
        Assert.All(readStatuses, s => Assert.Equal(HttpStatusCode.OK, s));

        // The worker backed off instead of spinning: it says how many deliveries failed while the store was locked.
        var lines = server.Process.Lines.Skip(logLinesBefore).ToList();
        var recovered = lines.Select(l => RecoveredLine().Match(l)).LastOrDefault(m => m.Success);
        Assert.True(recovered is not null, "the worker should say it processes deliveries again");
        var failedAttempts = int.Parse(recovered!.Groups[1].Value, CultureInfo.InvariantCulture);
        // Each failed attempt waits out the busy timeout, then is held 1 s, 2 s, 4 s ... before going back; a spinning
        // worker would fail thousands of times. At most two attempts per task and prefetch slot and second of lock is loose.
        Assert.InRange(failedAttempts, 1, accepted.Count * 2 + LockSeconds);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES store lock: locked {LockSeconds - 5}+ s (busy timeout {BusyTimeout}); tasks accepted while locked {accepted.Count}, in the queue at release {queuedAtRelease}, " +
            $"final records while locked 0; revokes {revokeStatuses.Count}, all 503 (Retry-After {retryAfter?.TotalSeconds} s); reads {readStatuses.Count}, all 200; " +
            $"worker failed attempts {failedAttempts}; every task SUCCESS {converged.TotalSeconds:0.0} s after release; listed {listed.Count}, no duplicates"));
    }

    [GeneratedRegex(@"processed again, after (\d+) failed attempt")]
    private static partial Regex RecoveredLine();

    // Read on the lock holder's own connection, which can: final records of the given tasks.
    private static int CountFinal(SqliteConnection connection, IEnumerable<string> ids)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM task_records WHERE id = $id;";
        var parameter = command.Parameters.Add("$id", SqliteType.Text);
        var final = 0;
        foreach (var id in ids)
        {
            parameter.Value = id;
            if (command.ExecuteScalar() is string state && state is "SUCCESS" or "FAILURE" or "REVOKED")
            {
                final++;
            }
        }

        return final;
    }

    private static async Task<string> EnqueueAsync(HttpClient http, long i)
    {
        using var content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"args\": [{i}, 1]}}"), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("api/tasks/tasks.add", content);
        var text = await response.Content.ReadAsStringAsync();
        // Accepted once the broker confirms it; the PENDING record is written later by the API or at RECEIVED by the worker.
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST tasks.add should answer 202, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private static Task WaitForSuccessAsync(HttpClient http, string id, long expected) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"api/tasks/{id}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            using var record = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("SUCCESS", record.RootElement.GetProperty("state").GetString());
            Assert.Equal(expected, record.RootElement.GetProperty("result").GetInt64());
            return true;
        }, FaultTimeouts.Long + FaultTimeouts.Long, $"task {id} to succeed");
}
