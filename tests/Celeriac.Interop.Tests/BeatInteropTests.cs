using System.Globalization;
using System.Text.RegularExpressions;
using Celeriac.Interop.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Interop.Tests;

/// <summary>
/// Issue 11, periodic tasks: two <c>celeriac beat</c> processes on one data folder send a 1 s schedule to a real Python
/// Celery worker. Each tick is sent once, by the lease holder; when it stops, the other takes over from the next tick;
/// Celery runs every task beat sent and nothing else.
/// </summary>
public sealed partial class BeatInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LogRelay _log = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-beat-").FullName;
    private readonly List<ManagedProcess> _beats = [];
    private RabbitMqVirtualHost? _virtualHost;
    private WorkerNode? _celery;

    public async Task InitializeAsync()
    {
        _log.Attach(output.WriteLine);
        _virtualHost = await RabbitMqVirtualHost.CreateAsync("interop-beat");
        _celery = await WorkerNode.StartPythonAsync(_virtualHost, _log.WriteLine);
    }

    public async Task DisposeAsync()
    {
        foreach (var beat in _beats)
        {
            await beat.DisposeAsync();
        }

        foreach (var part in new IAsyncDisposable?[] { _celery, _virtualHost })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }

        Directory.Delete(_dataDirectory, recursive: true);
        _log.Detach();
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Beat_TwoProcessesOneSchedule_SendEachTickOnceAndTheOtherTakesOver()
    {
        var schedule = Path.Combine(_dataDirectory, "beat.json");
        await File.WriteAllTextAsync(schedule, """{"Schedule": {"add-every-1s": {"Task": "tasks.add", "Every": "00:00:01", "Args": "[2, 3]"}}}""");
        var first = await StartBeatAsync(schedule, "beat-1");
        var second = await StartBeatAsync(schedule, "beat-2");

        await Eventually.WaitAsync(() => Sends().Count >= 4, TestTimeouts.Long, "four ticks sent by either beat");
        var leader = Sends().Select(s => s.Beat).Distinct().Single();
        var (stopping, standby) = leader == first ? (first, second) : (second, first);
        var sentBeforeStop = Sends().Count;

        // A warm stop releases the lease, so the standby takes over within its next renewal (a third of the 3 s lease).
        stopping.Signal(15);
        Assert.Equal(0, await stopping.WaitForExitAsync(TestTimeouts.Short));
        await Eventually.WaitAsync(() => Sends().Count(s => s.Beat == standby) >= 3, TestTimeouts.Long,
            "three ticks sent by the beat that took over");
        standby.Signal(15);
        await standby.WaitForExitAsync(TestTimeouts.Short);

        var sends = Sends();
        Assert.True(sends.Count > sentBeforeStop, "the standby should have sent after the leader stopped");
        // Every tick once: one second apart from the first to the last, none twice, none left out (a late one is caught up).
        var ticks = sends.Select(s => s.Tick).Order().ToArray();
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));
        Assert.True(sends.Where(s => s.Beat == stopping).Max(s => s.Tick) < sends.Where(s => s.Beat == standby).Min(s => s.Tick),
            "the beat that took over should go on after the last tick the first one sent");
        foreach (var send in sends)
        {
            await _celery!.WaitForLogAsync($"Task tasks.add[{send.TaskId}] succeeded in");
        }

        // Nothing but what beat logged reached the worker.
        Assert.Equal(sends.Count, _celery!.Process.Lines.Count(l => l.Contains("Task tasks.add[", StringComparison.Ordinal) && l.Contains("] received", StringComparison.Ordinal)));
    }

    private async Task<ManagedProcess> StartBeatAsync(string schedule, string label)
    {
        var process = ManagedProcess.Start("dotnet",
            [TestEnvironment.CeleriacDll, "beat", "--broker", _virtualHost!.AmqpUrl, "--schedule", schedule, "--data-dir", _dataDirectory,
                "--lease-duration", "3", "--loglevel", "info"],
            log: _log.WriteLine, label: label);
        _beats.Add(process);
        await process.WaitForLineAsync("beat: Starting with 1 entries", TestTimeouts.Long);
        return process;
    }

    private List<(ManagedProcess Beat, DateTimeOffset Tick, string TaskId)> Sends() =>
        _beats.SelectMany(beat => beat.Lines.Select(l => SendLine().Match(l)).Where(m => m.Success)
                .Select(m => (beat, DateTimeOffset.Parse(m.Groups["tick"].Value, CultureInfo.InvariantCulture), m.Groups["id"].Value)))
            .ToList();

    [GeneratedRegex(@"Scheduler: Sending due task add-every-1s \(tasks\.add\) for tick (?<tick>\S+) as (?<id>\S+)$")]
    private static partial Regex SendLine();
}
