using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Faults.Tests.Support;
using Celeriac.RabbitMQ.Client;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests;

/// <summary>
/// Fault test 1: <c>kill -9</c> of a real <c>celeriac worker</c> while tasks run. After a new worker starts on the same
/// data, every sent task has exactly one record, final and SUCCESS with its sum, and every result reaches the client; a
/// task runs to the end twice only when the killed worker had not acknowledged it (it held at most its prefetch).
/// </summary>
/// <remarks>Also fault test 7: SIGTERM under load.</remarks>
public sealed partial class WorkerKillTests(ITestOutputHelper output) : OwnProcessesFaultTest(output, "kill")
{
    private const int Tasks = 60;
    private const int Concurrency = 2;
    // The killed worker can hold at most this many unacknowledged messages: concurrency x the prefetch multiplier (4).
    private const int Prefetch = Concurrency * 4;

    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task KillMinus9_WhileTasksRun_EveryTaskEndsOnceWithItsResultAfterANewWorkerStarts()
    {
        var vhost = VirtualHost;
        // tasks.add sleeps 0.2 s, so tasks are running when the kill comes.
        var environment = new Dictionary<string, string> { [DemoTasksBuilderExtensionsAddSleep] = "0.2" };
        var first = await StartWorkerAsync(vhost, environment, "kill-1@localhost");
        await using var client = CeleryClient.Create(vhost.AmqpUrl);
        var sent = new List<(AsyncResult Result, int Expected)>();
        for (var i = 0; i < Tasks; i++)
        {
            sent.Add((await client.SendAsync("tasks.add", i, 1), i + 1));
        }

        // Some finished, some running or prefetched: then the kill, with no warning.
        await first.WaitForLineAsync(l => SucceededLine().IsMatch(l) && first.Lines.Count(SucceededLine().IsMatch) >= 6, FaultTimeouts.Long, "six tasks to succeed on the first worker");
        first.Signal(9);
        await first.WaitForExitAsync(FaultTimeouts.Short);
        Assert.True(first.HasExited, "the first worker should be dead after kill -9");
        var ranFirst = IdsOf(first, SucceededLine());
        await first.DisposeAsync();
        Output.WriteLine($"---- kill -9 after {ranFirst.Count} tasks succeeded; starting a new worker ----");

        await using var second = await StartWorkerAsync(vhost, environment, "kill-2@localhost");
        var wrong = new List<string>();
        foreach (var (result, expected) in sent)
        {
            var value = await result.GetAsync(FaultTimeouts.Long);
            if (value.GetInt32() != expected)
            {
                wrong.Add($"{result.Id}: {value.GetRawText()} instead of {expected}");
            }
        }

        var ranSecond = IdsOf(second, SucceededLine());
        var ranTwice = ranFirst.Intersect(ranSecond).ToArray();
        // Redelivered with a final record already written (only the ack was lost): acknowledged without running.
        var notRunAgain = IdsOf(second, AlreadyFinishedLine());

        // The records, through an API server on the workers' data folder: one per task, SUCCESS with the sum.
        await using var api = await CeleriacServerProcess.StartAsync(vhost, DataDirectory, Log.WriteLine, worker: false);
        using var http = api.CreateClient();
        var badRecords = new List<string>();
        foreach (var (result, expected) in sent)
        {
            using var response = await http.GetAsync($"api/tasks/{result.Id}");
            var text = await response.Content.ReadAsStringAsync();
            var record = response.StatusCode == HttpStatusCode.OK ? JsonDocument.Parse(text).RootElement : default;
            if (response.StatusCode != HttpStatusCode.OK || record.GetProperty("state").GetString() != "SUCCESS"
                || record.GetProperty("result").GetRawText() != expected.ToString(CultureInfo.InvariantCulture))
            {
                badRecords.Add($"{result.Id}: {(int)response.StatusCode} {text}");
            }
        }

        using var listing = await http.GetAsync("api/tasks?name=tasks.add&limit=500");
        using var page = JsonDocument.Parse(await listing.Content.ReadAsStringAsync());
        var listed = page.RootElement.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();

        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES worker-kill: tasks {Tasks}, kill -9 after {ranFirst.Count} succeeded, then {ranSecond.Count} ran on the new worker; " +
            $"ran to the end twice {ranTwice.Length} (at most the prefetch, {Prefetch}); redelivered after they finished and not run again {notRunAgain.Count}; results {sent.Count - wrong.Count}/{Tasks}; " +
            $"records SUCCESS with the sum {Tasks - badRecords.Count}/{Tasks}, listed {listed.Length} ({listed.Distinct().Count()} distinct); lost {wrong.Count + badRecords.Count}"));
        Assert.True(wrong.Count == 0, $"every result should be the sum:\n{string.Join('\n', wrong)}");
        Assert.True(badRecords.Count == 0, $"every record should be SUCCESS with the sum:\n{string.Join('\n', badRecords.Take(10))}");
        Assert.Equal(Tasks, listed.Length);
        Assert.Equal(Tasks, listed.Distinct().Count());
        Assert.True(ranTwice.Length <= Prefetch, $"only tasks the killed worker had not acknowledged may run again; {ranTwice.Length} did: {string.Join(", ", ranTwice)}");
        Assert.True(ranFirst.Count + ranSecond.Count - ranTwice.Length == Tasks, "every task ran to the end on one of the workers");
        Assert.True(!notRunAgain.Overlaps(ranSecond), "a task acknowledged as already finished must not also run on the new worker");
        Assert.True(notRunAgain.IsSubsetOf(ranFirst), "only tasks that finished on the killed worker may be taken as finished");
    }

    /// <summary>
    /// Fault test 7: SIGTERM under load. The warm shutdown lets running tasks finish and gives prefetched ones back; the
    /// worker exits 0; a new worker runs the rest; nothing is lost and nothing runs to the end twice.
    /// </summary>
    [Fact(Timeout = FaultTimeouts.Test)]
    public async Task Sigterm_UnderLoad_RunningTasksFinishTheRestGoBackAndNothingIsLost()
    {
        var vhost = VirtualHost;
        var environment = new Dictionary<string, string> { [DemoTasksBuilderExtensionsAddSleep] = "0.2" };
        var first = await StartWorkerAsync(vhost, environment, "term-1@localhost");
        await using var client = CeleryClient.Create(vhost.AmqpUrl);
        var sent = new List<(AsyncResult Result, int Expected)>();
        for (var i = 0; i < Tasks; i++)
        {
            sent.Add((await client.SendAsync("tasks.add", i, 1), i + 1));
        }

        await first.WaitForLineAsync(l => SucceededLine().IsMatch(l) && first.Lines.Count(SucceededLine().IsMatch) >= 6, FaultTimeouts.Long, "six tasks to succeed on the first worker");
        first.Signal(15);
        var exitCode = await first.WaitForExitAsync(FaultTimeouts.Long);
        var ranFirst = IdsOf(first, SucceededLine());
        await first.DisposeAsync();
        Output.WriteLine($"---- SIGTERM: exit code {exitCode} after {ranFirst.Count} tasks succeeded; starting a new worker ----");

        await using var second = await StartWorkerAsync(vhost, environment, "term-2@localhost");
        var wrong = new List<string>();
        foreach (var (result, expected) in sent)
        {
            var value = await result.GetAsync(FaultTimeouts.Long);
            if (value.GetInt32() != expected)
            {
                wrong.Add($"{result.Id}: {value.GetRawText()} instead of {expected}");
            }
        }

        var ranSecond = IdsOf(second, SucceededLine());
        var ranTwice = ranFirst.Intersect(ranSecond).ToArray();
        await using var api = await CeleriacServerProcess.StartAsync(vhost, DataDirectory, Log.WriteLine, worker: false);
        using var http = api.CreateClient();
        var badRecords = 0;
        foreach (var (result, expected) in sent)
        {
            using var response = await http.GetAsync($"api/tasks/{result.Id}");
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || JsonDocument.Parse(text).RootElement.GetProperty("result").GetRawText() != expected.ToString(CultureInfo.InvariantCulture))
            {
                badRecords++;
                Output.WriteLine($"bad record {result.Id}: {(int)response.StatusCode} {text}");
            }
        }

        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"FIGURES sigterm: tasks {Tasks}, SIGTERM after 6 succeeded, exit code {exitCode}; {ranFirst.Count} finished on the stopping worker, {ranSecond.Count} on the new one; " +
            $"ran to the end twice {ranTwice.Length}; results {sent.Count - wrong.Count}/{Tasks}, records SUCCESS with the sum {Tasks - badRecords}/{Tasks}; lost {wrong.Count + badRecords}"));
        Assert.Equal(0, exitCode);
        Assert.True(wrong.Count == 0, $"every result should be the sum:\n{string.Join('\n', wrong)}");
        Assert.Equal(0, badRecords);
        Assert.True(ranTwice.Length == 0, $"a warm shutdown acknowledges what finished, so nothing runs to the end twice; {ranTwice.Length} did");
        Assert.Equal(Tasks, ranFirst.Count + ranSecond.Count);
    }

    private const string DemoTasksBuilderExtensionsAddSleep = "CELERIAC_DEMO_ADD_SLEEP";

    private Task<ManagedProcess> StartWorkerAsync(RabbitMqVirtualHost vhost, IReadOnlyDictionary<string, string> environment, string hostname) =>
        CeleriacWorkerProcess.StartAsync(vhost, Log.WriteLine, concurrency: Concurrency, hostname: hostname, stateDirectory: DataDirectory, environment: environment);

    private static HashSet<string> IdsOf(ManagedProcess process, Regex line) =>
        process.Lines.Select(l => line.Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"Task tasks\.add\[(?<id>[0-9a-f-]+)\] succeeded in")]
    private static partial Regex SucceededLine();

    [GeneratedRegex(@"Task tasks\.add\[(?<id>[0-9a-f-]+)\] delivered again after it finished")]
    private static partial Regex AlreadyFinishedLine();
}
