using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Celeriac.Faults.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 6: <see cref="Tasks"/> tasks enqueued over HTTP, <see cref="Parallel"/> requests at a time, to a real
/// <c>celeriac serve</c> with its worker. Every one is accepted, and the books balance: accepted = final records = results,
/// every id recorded once, each with its own sum.
/// </summary>
public sealed class ConcurrentEnqueueTests(ITestOutputHelper output) : OwnProcessesFaultTest(output, "enqueue")
{
    private const int Tasks = 10_000;
    private const int Parallel = 64;

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task Enqueue_10000ConcurrentlyOverHttp_AcceptedEqualsFinalRecordsEqualsResultsNoDuplicates()
    {
        var vhost = VirtualHost;
        await using var server = await CeleriacServerProcess.StartAsync(vhost, DataDirectory, Log.WriteLine, concurrency: 4);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Parallel };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var accepted = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var refused = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < Tasks; i = Interlocked.Increment(ref next))
            {
                using var content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"args\": [{i}, 7]}}"), Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("api/tasks/tasks.add", content);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    refused.Enqueue($"{(int)response.StatusCode}: {text}");
                    continue;
                }

                using var body = JsonDocument.Parse(text);
                Assert.True(accepted.TryAdd(body.RootElement.GetProperty("id").GetString()!, i + 7), "the API should never hand out one id twice");
            }
        }));
        var sent = clock.Elapsed;
        Assert.True(refused.IsEmpty, $"{refused.Count} enqueues refused, e.g. {refused.FirstOrDefault()}");
        Assert.Equal(Tasks, accepted.Count);

        // Done when the broker holds none of them any more; then the records are read once.
        await Eventually.WaitAsync(async () => await vhost.GetQueueCountsAsync("celery") is { Ready: 0, Unacknowledged: 0 },
            TimeSpan.FromMinutes(5), "the worker to drain the queue");
        var drained = clock.Elapsed;

        var records = new Dictionary<string, (string State, long? Result)>(StringComparer.Ordinal);
        var duplicates = 0;
        var pages = 0;
        await Eventually.WaitAsync(async () =>
        {
            records.Clear();
            duplicates = 0;
            pages = 0;
            for (string? cursor = ""; cursor is not null; pages++)
            {
                using var response = await http.GetAsync($"api/tasks?name=tasks.add&limit=500{(cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : "")}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                foreach (var item in page.RootElement.GetProperty("items").EnumerateArray())
                {
                    var result = item.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt64() : (long?)null;
                    if (!records.TryAdd(item.GetProperty("id").GetString()!, (item.GetProperty("state").GetString()!, result)))
                    {
                        duplicates++;
                    }
                }

                cursor = page.RootElement.TryGetProperty("nextCursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }

            // The last outcomes may still be on their way to the store when the queue is empty.
            return records.Count == Tasks && records.Values.All(v => v.State == "SUCCESS");
        }, FaultTimeouts.Long, "every task to have a SUCCESS record");

        Assert.Equal(0, duplicates);
        Assert.True(records.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(accepted.Keys), "the records should be exactly the accepted tasks");
        var wrong = accepted.Count(a => records[a.Key].Result != a.Value);
        Assert.Equal(0, wrong);
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES enqueue: {Tasks} POSTs, {Parallel} at a time: accepted {accepted.Count}, refused {refused.Count}, sent in {sent.TotalSeconds:0.0} s ({Tasks / sent.TotalSeconds:0} /s); " +
            $"queue drained after {drained.TotalSeconds:0.0} s; final records {records.Count} (all SUCCESS, {pages} listing pages), results with the right sum {accepted.Count - wrong}, duplicates {duplicates}; " +
            $"in all {clock.Elapsed.TotalSeconds:0.0} s"));
    }
}
