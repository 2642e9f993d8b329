using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Celeriac.Faults.Tests.Support;
using Celeriac.RabbitMQ.Client;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 8: a task that ignores its cancellation token (<c>tasks.stuck</c>, a blocking sleep, registered only with
/// <c>CELERIAC_DEMO_STUCK_TASK=1</c>) on a real <c>celeriac worker</c> at concurrency 1. Neither a terminate nor a hard time
/// limit can stop its thread, but the worker gives up waiting for it after a short grace and frees the slot: the next task
/// runs, and the stuck one's record says what happened (REVOKED terminated, FAILURE TimeLimitExceeded).
/// </summary>
public sealed class StuckTaskTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string StuckTaskVariable = "CELERIAC_DEMO_STUCK_TASK";

    // Far longer than the test: the thread must still be asleep when the next task runs.
    private const double StuckSeconds = 900;

    // The worker's grace for stopped code (WorkerOptions.AbandonGrace, 10 s by default), shortened so the test waits less.
    private static readonly TimeSpan s_abandonGrace = TimeSpan.FromSeconds(2);

    // The grace, plus room for a loaded machine.
    private static readonly TimeSpan s_slotFreedWithin = s_abandonGrace + FaultTimeouts.Long;

    private readonly LogRelay _log = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-fault-stuck-").FullName;
    private RabbitMqVirtualHost? _virtualHost;

    public async Task InitializeAsync()
    {
        _log.Attach(output.WriteLine);
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("faults-stuck");
    }

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        _log.Detach();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task StuckTask_TerminatedThenTimedOutAtConcurrencyOne_SlotFreedNextTaskRunsRecordsSayWhy()
    {
        var vhost = _virtualHost!;
        await using var worker = await CeleriacWorkerProcess.StartAsync(vhost, _log.WriteLine, concurrency: 1, hostname: "stuck@localhost",
            stateDirectory: _dataDirectory, environment: new Dictionary<string, string>
            {
                [StuckTaskVariable] = "1",
                ["CELERIAC__WORKER__ABANDONGRACE"] = s_abandonGrace.ToString("c", CultureInfo.InvariantCulture),
            });
        await using var api = await CeleriacServerProcess.StartAsync(vhost, _dataDirectory, _log.WriteLine, worker: false);
        using var http = api.CreateClient();
        await using var client = CeleryClient.Create(vhost.AmqpUrl);

        // A terminate: the token is cancelled, the code goes on sleeping.
        var terminated = await client.SendAsync("tasks.stuck", StuckSeconds);
        await WaitForStartedAsync(http, terminated.Id);
        var clock = Stopwatch.StartNew();
        await terminated.RevokeAsync(terminate: true);
        var afterTerminate = await client.SendAsync("tasks.add", 2, 3);
        Assert.Equal(5, (await afterTerminate.GetAsync(s_slotFreedWithin)).GetInt32());
        var freedAfterTerminate = clock.Elapsed;
        var revoked = await WaitForFinalAsync(http, terminated.Id);
        Assert.Equal("REVOKED", revoked.GetProperty("state").GetString());
        Assert.Contains("terminated", revoked.GetRawText(), StringComparison.Ordinal);

        // A hard time limit: the limit fires, the code goes on sleeping.
        var timedOut = await client.SendAsync("tasks.stuck", [StuckSeconds], kwargs: null, new SendOptions { TimeLimit = 2 }, CancellationToken.None);
        await WaitForStartedAsync(http, timedOut.Id);
        clock.Restart();
        var afterLimit = await client.SendAsync("tasks.add", 4, 5);
        Assert.Equal(9, (await afterLimit.GetAsync(s_slotFreedWithin + TimeSpan.FromSeconds(2))).GetInt32());
        var freedAfterLimit = clock.Elapsed;
        var failed = await WaitForFinalAsync(http, timedOut.Id);
        Assert.Equal("FAILURE", failed.GetProperty("state").GetString());
        Assert.Equal("TimeLimitExceeded", failed.GetProperty("exception").GetProperty("type").GetString());

        // Both threads are still asleep in the worker: it abandoned them, it did not wait for them, after the configured grace.
        Assert.False(worker.HasExited);
        static bool IsAbandonWarning(string line) => line.Contains("is still running 2s later; the worker abandons it and frees its slot", StringComparison.Ordinal);
        // The worker writes its log lines in batches, so the second warning may reach the output just after the result does.
        await worker.WaitForLineAsync(l => IsAbandonWarning(l) && worker.Lines.Count(IsAbandonWarning) >= 2, FaultTimeouts.Long, "both abandon warnings");
        var abandoned = worker.Lines.Count(IsAbandonWarning);
        Assert.Equal(2, abandoned);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES stuck: concurrency 1; after terminate, the next task's result {freedAfterTerminate.TotalSeconds:0.0} s after the revoke; " +
            $"after a 2 s hard limit, the next task's result {freedAfterLimit.TotalSeconds:0.0} s after it started waiting; records REVOKED terminated and FAILURE TimeLimitExceeded; " +
            $"abandon warnings {abandoned}"));
    }

    // Started, whatever came after: a 2 s time limit can end the task before a poll sees STARTED itself.
    private static Task WaitForStartedAsync(HttpClient http, string id) =>
        Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"api/tasks/{id}");
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
            {
                return false;
            }

            using var record = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return record.RootElement.TryGetProperty("timeline", out var timeline) && timeline.TryGetProperty("started", out _);
        }, FaultTimeouts.Long, $"task {id} to start");

    private static async Task<JsonElement> WaitForFinalAsync(HttpClient http, string id)
    {
        JsonElement record = default;
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"api/tasks/{id}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            record = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return true;
        }, FaultTimeouts.Long, $"task {id} to have a final record");
        return record;
    }
}
