using System.Diagnostics;
using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Sqlite;
using Celeriac.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Performance;

/// <summary>
/// The dashboard over 100,000 records: a page load and a refresh read one page and the counts, never every record.
/// Prints the figures the README quotes (no time bound is asserted: the machine's load is not the code's).
/// </summary>
public sealed class LargeStoreTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Records = 100_000;
    private static readonly string[] s_names = ["tasks.add", "tasks.resize_image", "tasks.send_email", "tasks.charge_card", "tasks.sync_inventory"];

    private readonly LogRelay _log = new();
    private readonly Chromium _chromium = new();

    public async Task InitializeAsync()
    {
        _log.Attach(output.WriteLine);
        await _chromium.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        _log.Detach();
    }

    [Fact(Timeout = 600_000)]
    public async Task Dashboard_With100000Records_LoadsAndRefreshesFromOnePage()
    {
        await using var server = await DashboardServer.CreateAsync("dashboard-perf", _log);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(Path.Combine(server.DataDirectory, SqliteTaskStoreOptions.DefaultFileName));
        output.WriteLine($"seeded {Records:N0} records in {seeding.Elapsed.TotalSeconds:0.0} s");
        await MeasureCountsAsync(Path.Combine(server.DataDirectory, SqliteTaskStoreOptions.DefaultFileName));
        await server.StartAsync();

        var page = await _chromium.NewPageAsync(output.WriteLine);
        var loads = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            await page.GotoAsync(server.Dashboard.ToString());
            // Timed in the page: from the start of the navigation until the rows and the counts are on screen.
            await page.WaitForFunctionAsync(
                "() => document.querySelectorAll('#task-rows tr[data-task-id]').length === 50 && document.querySelector(\"[data-count='ALL'] .value\")?.textContent === '100,000'");
            loads.Add(await page.EvaluateAsync<double>("() => performance.now()"));
        }

        await Assertions.Expect(page.Locator("[data-count='ALL'] .value")).ToHaveTextAsync("100,000");
        output.WriteLine($"page load (navigation until 50 rows and the counts are shown), median of the last 5: {Median(loads.Skip(1)):0} ms (first, cold: {loads[0]:0} ms)");

        // What a refresh after a push does: the first page again (and, once per second for all pages, the counts).
        foreach (var (label, url) in new[]
        {
            ("refresh: first page, no filter", "api/tasks?limit=50"),
            ("refresh: counts per state + chart (api/stats)", "api/stats"),
            ("filter by state FAILURE", "api/tasks?limit=50&state=FAILURE"),
            ("filter by name", "api/tasks?limit=50&name=tasks.charge_card"),
            ("next page (cursor)", "CURSOR"),
            ("search text in id/args/result (a scan until 50 match)", "api/tasks?limit=50&q=order-4242"),
        })
        {
            var path = url;
            if (url == "CURSOR")
            {
                var first = await page.EvaluateAsync<JsonElement>("async () => (await (await fetch('api/tasks?limit=50')).json())");
                path = "api/tasks?limit=50&cursor=" + Uri.EscapeDataString(first.GetProperty("nextCursor").GetString()!);
            }

            var times = await page.EvaluateAsync<double[]>("""
                async path => {
                  const times = [];
                  for (let i = 0; i < 15; i++) {
                    const start = performance.now();
                    const response = await fetch(path, { cache: "no-store" });
                    await response.json();
                    if (!response.ok) throw new Error(path + " " + response.status);
                    times.push(performance.now() - start);
                  }
                  return times;
                }
                """, path);
            output.WriteLine($"{label}: median {Median(times.Skip(3)):0.0} ms over 12 requests ({path})");
        }

        Assert.Equal(50, await page.Locator("#task-rows tr[data-task-id]").CountAsync());
        await page.Context.CloseAsync();
    }

    // The counts are cached for a second for all pages; what one count costs the store, uncached.
    private async Task MeasureCountsAsync(string file)
    {
        await using var store = new SqliteTaskStore(Options.Create(new SqliteTaskStoreOptions { FilePath = file }), NullLogger<SqliteTaskStore>.Instance, TimeProvider.System);
        var times = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var watch = Stopwatch.StartNew();
            var counts = await store.CountByStateAsync(CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(Records, counts.Values.Sum());
        }

        output.WriteLine($"CountByStateAsync over {Records:N0} records, uncached: median {Median(times.Skip(2)):0.0} ms");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    // Records as a worker writes them (RECEIVED, then the outcome), one a millisecond apart, 1 in 50 failed.
    private static async Task SeedAsync(string file)
    {
        var options = Options.Create(new SqliteTaskStoreOptions { FilePath = file, MaxBatchSize = 5_000 });
        await using var store = new SqliteTaskStore(options, NullLogger<SqliteTaskStore>.Instance, TimeProvider.System);
        var start = DateTimeOffset.UtcNow.AddMilliseconds(-Records - 60_000);
        const int Chunk = 5_000;
        for (var from = 0; from < Records; from += Chunk)
        {
            var received = new List<Task>(Chunk);
            var ids = new string[Chunk];
            for (var i = 0; i < Chunk; i++)
            {
                var n = from + i;
                ids[i] = Guid.NewGuid().ToString();
                var args = JsonSerializer.SerializeToElement(new object[] { $"order-{n}", n % 97 });
                var description = new TaskDescription(s_names[n % s_names.Length], args, JsonSerializer.SerializeToElement(new { }));
                received.Add(store.ApplyAsync(ids[i], new TaskReceived(start.AddMilliseconds(n), "perf@host", description), CancellationToken.None).AsTask());
            }

            await Task.WhenAll(received);
            var finished = new List<Task>(Chunk);
            for (var i = 0; i < Chunk; i++)
            {
                var n = from + i;
                var outcome = n % 50 == 0
                    ? TaskOutcome.Failure(new Celeriac.Core.Protocol.TaskError("ValueError", JsonSerializer.SerializeToElement(new[] { "bad order" }), "builtins"), "Traceback ...", TimeSpan.FromMilliseconds(3))
                    : TaskOutcome.Success(JsonSerializer.SerializeToElement(n * 2), TimeSpan.FromMilliseconds(2));
                finished.Add(store.ApplyAsync(ids[i], new TaskFinished(start.AddMilliseconds(n + 0.5), "perf@host", outcome), CancellationToken.None).AsTask());
            }

            await Task.WhenAll(finished);
        }
    }
}
