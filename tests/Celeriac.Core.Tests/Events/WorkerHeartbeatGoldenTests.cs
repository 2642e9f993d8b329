using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;

namespace Celeriac.Core.Tests.Events;

/// <summary>Worker presence events have the shape of Celery's <c>worker.online</c> and <c>worker.heartbeat</c>.</summary>
public sealed class WorkerHeartbeatGoldenTests(ITestOutputHelper output)
{
    // What identifies the software and the machine's load is Celeriac's own.
    private static readonly string[] s_ownFields = ["loadavg", "sw_ident", "sw_ver"];

    [Fact]
    public async Task StartAsync_SendsWorkerOnlineShapedAsCelerys()
    {
        await using var worker = TestWorker.Create(output);
        var golden = GoldenMessage.Load("c_event_worker_online.json");

        await worker.Heartbeat.StartAsync(default);

        var sent = Assert.Single(worker.Publisher.Messages);
        GoldenAssert.SameEnvelope(golden, sent);
        var online = JsonDocument.Parse(sent.Message.Body).RootElement;
        GoldenAssert.SameEvent(golden.BodyJson, online, s_ownFields);
        Assert.Equal(WorkerHeartbeat.SoftwareIdentity, online.GetProperty("sw_ident").GetString());
        Assert.Equal(3, online.GetProperty("loadavg").GetArrayLength());
        await worker.Heartbeat.StopAsync(default);
    }

    [Fact]
    public async Task StartAsync_ThenTime_SendsAHeartbeatEveryIntervalWithWorkerOnlinesFields()
    {
        await using var worker = TestWorker.Create(output);
        var online = GoldenMessage.Load("c_event_worker_online.json").BodyJson;
        await worker.Heartbeat.StartAsync(default);

        worker.Time.Advance(TimeSpan.FromSeconds(4));

        await Wait.UntilAsync(() => worker.Publisher.Events("worker-heartbeat").Count == 2, "two heartbeats in four seconds");
        var beat = worker.Publisher.Events("worker-heartbeat")[0];
        Assert.Equal(JsonShape.Keys(online), JsonShape.Keys(beat));
        Assert.Equal(2.0, beat.GetProperty("freq").GetDouble());
        Assert.Equal("2.0", beat.GetProperty("freq").GetRawText());
        Assert.Equal("worker.heartbeat", worker.Publisher.Messages[^1].RoutingKey);
        var clocks = worker.Publisher.Events().Select(e => e.GetProperty("clock").GetInt64()).ToArray();
        Assert.Equal(clocks.Order(), clocks);
        Assert.Equal(clocks.Length, clocks.Distinct().Count());
        await worker.Heartbeat.StopAsync(default);
    }

    [Fact]
    public async Task Heartbeat_SlowToSend_NextBeatIsDueOneIntervalAfterThatOneBeganAndNeverOverlapsIt()
    {
        await using var worker = TestWorker.Create(output);
        var slowSend = new TaskCompletionSource();
        await worker.Heartbeat.StartAsync(default);
        var firstBeganAt = worker.Time.GetUtcNow() + TimeSpan.FromSeconds(2);
        worker.Publisher.HoldWhen = m => m.RoutingKey == "worker.heartbeat" ? slowSend.Task : null;

        // The first beat's send takes 3 s: longer than the interval. A timer with a fixed period would start a
        // second beat at 4 s, while the first is still being sent.
        worker.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, worker.Publisher.Started);
        Assert.Equal(0, worker.Time.PendingTimers);

        worker.Publisher.HoldWhen = null;
        slowSend.SetResult();
        await Wait.UntilAsync(() => worker.Time.PendingTimers == 1, "the next beat scheduled once the slow one was sent");
        Assert.True(worker.Time.HasTimerDueAt(worker.Time.GetUtcNow()), "The interval since the slow beat began has passed, so the next one is due at once.");

        worker.Time.Advance(TimeSpan.Zero);
        await Wait.UntilAsync(() => worker.Publisher.Events("worker-heartbeat").Count == 2, "the second beat sent");
        Assert.True(worker.Time.HasTimerDueAt(worker.Time.GetUtcNow() + TimeSpan.FromSeconds(2)), "A beat sent at once is followed one interval later.");
        var stamps = worker.Publisher.Events("worker-heartbeat").Select(e => e.GetProperty("timestamp").GetDouble()).ToArray();
        Assert.Equal(firstBeganAt.ToUnixTimeMilliseconds() / 1000.0, stamps[0], precision: 3);
        Assert.Equal(3.0, stamps[1] - stamps[0], precision: 3);
        await worker.Heartbeat.StopAsync(default);
    }

    [Fact]
    public async Task StopAsync_SendsWorkerOfflineAndStopsBeating()
    {
        await using var worker = TestWorker.Create(output);
        await worker.Heartbeat.StartAsync(default);

        await worker.Heartbeat.StopAsync(default);
        worker.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(["worker-online", "worker-offline"], worker.Publisher.Events().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(0, worker.Time.PendingTimers);
    }

    [Fact]
    public async Task HeartbeatControlCommand_SendsCelerysWakeupHeartbeat()
    {
        await using var worker = TestWorker.Create(output);
        var request = GoldenMessage.Load("d_pidbox_wakeup_heartbeat.json");
        var golden = GoldenMessage.Load("c_event_worker_heartbeat.json");

        await worker.Control.HandleAsync(request.ToTransportMessage(), default);

        var sent = Assert.Single(worker.Publisher.Messages);
        GoldenAssert.SameEnvelope(golden, sent);
        GoldenAssert.SameEvent(golden.BodyJson, JsonDocument.Parse(sent.Message.Body).RootElement, s_ownFields);
    }
}
