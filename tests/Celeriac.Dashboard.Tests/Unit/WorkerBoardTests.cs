using System.Text.Json;
using Celeriac.Dashboard.Workers;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class WorkerBoardTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_FirstHeartbeat_IsOnlineAndWorthSaving()
    {
        var board = new WorkerBoard();

        var saved = board.Apply(Event("""{"type": "worker-heartbeat", "hostname": "w1@h", "freq": 2.0, "active": 1, "processed": 5, "sw_ident": "py-celery"}"""), s_start);

        Assert.NotNull(saved);
        Assert.Equal(5, saved.Processed);
        Assert.Equal("py-celery", saved.Software);
        Assert.True(Assert.Single(board.Snapshot(s_start)).IsOnline(s_start));
    }

    [Fact]
    public void Apply_UnchangedHeartbeat_IsNotSavedAgainUntilAWhilePassed()
    {
        var board = new WorkerBoard();
        const string Beat = """{"type": "worker-heartbeat", "hostname": "w1@h", "freq": 2.0, "active": 0, "processed": 5}""";
        board.Apply(Event(Beat), s_start);

        Assert.Null(board.Apply(Event(Beat), s_start.AddSeconds(2)));
        Assert.NotNull(board.Apply(Event(Beat.Replace("\"processed\": 5", "\"processed\": 6", StringComparison.Ordinal)), s_start.AddSeconds(4)));
        Assert.NotNull(board.Apply(Event(Beat.Replace("\"processed\": 5", "\"processed\": 6", StringComparison.Ordinal)), s_start.AddSeconds(30)));
    }

    [Fact]
    public void Snapshot_AfterTwoMissedHeartbeats_IsOffline()
    {
        var board = new WorkerBoard();
        board.Apply(Event("""{"type": "worker-online", "hostname": "w1@h", "freq": 2.0}"""), s_start);

        Assert.True(board.Snapshot(s_start.AddSeconds(3.9))[0].IsOnline(s_start.AddSeconds(3.9)));
        Assert.False(board.Snapshot(s_start.AddSeconds(4))[0].IsOnline(s_start.AddSeconds(4)));
    }

    [Fact]
    public void Apply_WorkerOffline_IsOfflineAtOnceAndKeepsItsCounts()
    {
        var board = new WorkerBoard();
        board.Apply(Event("""{"type": "worker-heartbeat", "hostname": "w1@h", "active": 2, "processed": 9}"""), s_start);

        var saved = board.Apply(Event("""{"type": "worker-offline", "hostname": "w1@h"}"""), s_start.AddSeconds(1));

        Assert.NotNull(saved);
        Assert.False(saved.IsOnline(s_start.AddSeconds(1)));
        Assert.Equal(s_start.AddSeconds(1), saved.OfflineAt);
        Assert.Equal(9, saved.Processed);
    }

    [Fact]
    public void Apply_WakeupHeartbeatWithoutCounts_KeepsTheCountsKnown()
    {
        var board = new WorkerBoard();
        board.Load([new WorkerRecord { Hostname = "w1@h", Processed = 40, Active = 1, FirstSeen = s_start, LastSeen = s_start }], s_start);

        board.Apply(Event("""{"type": "worker-heartbeat", "hostname": "w1@h", "freq": 5, "sw_ident": "celeriac"}"""), s_start.AddSeconds(10));

        var worker = Assert.Single(board.Snapshot(s_start.AddSeconds(10)));
        Assert.Equal(40, worker.Processed);
        Assert.Equal(5, worker.Frequency);
        Assert.Equal(s_start, worker.FirstSeen);
    }

    [Theory]
    [InlineData("""{"type": "task-succeeded", "hostname": "w1@h"}""")]
    [InlineData("""{"type": "worker-heartbeat"}""")]
    [InlineData("""{"hostname": "w1@h"}""")]
    public void Apply_NotAWorkerEvent_IsIgnored(string json)
    {
        var board = new WorkerBoard();

        Assert.Null(board.Apply(Event(json), s_start));
        Assert.Empty(board.Snapshot(s_start));
    }

    [Fact]
    public void Load_AfterALiveHeartbeat_KeepsTheLiveStateAndTheEarlierFirstSeen()
    {
        var board = new WorkerBoard();
        board.Apply(Event("""{"type": "worker-heartbeat", "hostname": "w1@h", "freq": 2.0, "active": 0, "processed": 7}"""), s_start);

        board.Load([new WorkerRecord { Hostname = "w1@h", Processed = 3, FirstSeen = s_start.AddDays(-1), LastSeen = s_start.AddHours(-1) }], s_start);

        var worker = Assert.Single(board.Snapshot(s_start));
        Assert.Equal(7, worker.Processed);
        Assert.True(worker.IsOnline(s_start));
        Assert.Equal(s_start.AddDays(-1), worker.FirstSeen);
    }

    private static JsonElement Event(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
