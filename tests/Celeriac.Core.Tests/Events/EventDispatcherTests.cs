using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Tests.Events;

public sealed class EventDispatcherTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SendAsync_StampsTheStandardFieldsAroundTheEventsOwn()
    {
        await using var worker = TestWorker.Create(output);
        worker.Clock.Adjust(41);

        await worker.Events.SendAsync(new CeleryEvent("task-started").With("uuid", "id-1"), default);

        var sent = Assert.Single(worker.Publisher.Messages);
        Assert.Equal((EventOptions.Exchange, "task.started", DeliveryModes.Transient), (sent.Exchange, sent.RoutingKey, sent.Message.DeliveryMode));
        var body = JsonDocument.Parse(sent.Message.Body).RootElement;
        Assert.Equal(["hostname", "utcoffset", "pid", "clock", "uuid", "timestamp", "type"], GoldenWire.JsonShape.Keys(body));
        Assert.Equal(TestWorker.Hostname, body.GetProperty("hostname").GetString());
        Assert.Equal(Environment.ProcessId, body.GetProperty("pid").GetInt32());
        Assert.Equal(43, body.GetProperty("clock").GetInt64());
        Assert.Equal(CeleryTime.ToUnixSeconds(worker.Time.GetUtcNow()), body.GetProperty("timestamp").GetDouble());
        Assert.Equal("task-started", body.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(120, -2)]
    [InlineData(-300, 5)]
    [InlineData(330, -6)]
    [InlineData(-210, 3)]
    public async Task SendAsync_UtcOffset_IsHoursWestOfUtcFlooredAsPython(int minutesEast, int expected)
    {
        await using var worker = TestWorker.Create(output);
        worker.Time.TimeZone = TimeZoneInfo.CreateCustomTimeZone("test", TimeSpan.FromMinutes(minutesEast), "test", "test");

        await worker.Events.SendAsync(new CeleryEvent("worker-heartbeat"), default);

        Assert.Equal(expected, Assert.Single(worker.Publisher.Events()).GetProperty("utcoffset").GetInt32());
    }

    [Fact]
    public async Task SendTaskEventAsync_TaskEventsOff_SendsNothingButWorkerEventsStillGo()
    {
        await using var worker = TestWorker.Create(output);
        worker.Events.TaskEventsEnabled = false;

        await worker.Events.SendTaskEventAsync(new CeleryEvent("task-started").With("uuid", "id-1"), default);
        await worker.Events.SendAsync(new CeleryEvent("worker-heartbeat"), default);

        Assert.Equal(["worker-heartbeat"], worker.Publisher.Events().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task SendAsync_PublisherFails_IsSwallowedBecauseEventsAreBestEffort()
    {
        await using var worker = TestWorker.Create(output);
        worker.Publisher.FailWhen = _ => new IOException("no broker");

        await worker.Events.SendAsync(new CeleryEvent("worker-heartbeat"), default);

        Assert.Empty(worker.Publisher.Messages);
    }

    [Fact]
    public async Task SendAsync_Cancelled_Throws()
    {
        await using var worker = TestWorker.Create(output);
        worker.Publisher.FailWhen = _ => new OperationCanceledException();

        await Assert.ThrowsAsync<OperationCanceledException>(() => worker.Events.SendAsync(new CeleryEvent("worker-heartbeat"), default).AsTask());
    }

    [Fact]
    public async Task SendTaskEventAsync_EventsArrivingWhileOneIsSent_GoTogetherAsOneTaskMultiListInOrder()
    {
        await using var worker = Buffered(24);
        var release = await SendWhileFirstIsHeldAsync(worker, TaskEvent("task-received", "id-1"));
        foreach (var id in new[] { "id-2", "id-3", "id-4" })
        {
            await worker.Events.SendTaskEventAsync(TaskEvent("task-started", id), default);
        }

        var flushed = worker.Events.FlushAsync();
        Assert.False(flushed.IsCompleted, "the flush is still sending");
        release.SetResult();
        await Wait.ForAsync(flushed, "the buffered events to be sent");

        Assert.Equal(["task.received", "task.multi"], worker.Publisher.Messages.Select(m => m.RoutingKey));
        var list = JsonDocument.Parse(worker.Publisher.Messages[1].Message.Body).RootElement;
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
        Assert.Equal(["id-2", "id-3", "id-4"], list.EnumerateArray().Select(e => e.GetProperty("uuid").GetString()));
        var first = worker.Publisher.Events()[0];
        Assert.All(list.EnumerateArray(), e => Assert.Equal(GoldenWire.JsonShape.Keys(first), GoldenWire.JsonShape.Keys(e)));
        var clocks = worker.Publisher.Events().Select(e => e.GetProperty("clock").GetInt64()).ToArray();
        Assert.Equal(clocks.Order(), clocks);
        Assert.Equal(TestWorker.Hostname, worker.Publisher.Messages[1].Message.Headers["hostname"]);
    }

    [Fact]
    public async Task SendTaskEventAsync_MoreBufferedThanTheLimit_SplitsIntoListsOfTheLimitAndALoneEventAsItself()
    {
        await using var worker = Buffered(2);
        var release = await SendWhileFirstIsHeldAsync(worker, TaskEvent("task-received", "id-0"));
        for (var i = 1; i <= 5; i++)
        {
            await worker.Events.SendTaskEventAsync(TaskEvent("task-succeeded", $"id-{i}"), default);
        }

        release.SetResult();
        await Wait.ForAsync(worker.Events.FlushAsync(), "the buffered events to be sent");

        Assert.Equal(["task.received", "task.multi", "task.multi", "task.succeeded"], worker.Publisher.Messages.Select(m => m.RoutingKey));
        Assert.Equal(["id-0", "id-1", "id-2", "id-3", "id-4", "id-5"], worker.Publisher.Events().Select(e => e.GetProperty("uuid").GetString()));
    }

    [Fact]
    public async Task SendTaskEventAsync_PublishFailsInAFlush_IsLoggedAndLaterEventsStillGo()
    {
        await using var worker = Buffered(24);
        worker.Publisher.FailWhen = m => m.RoutingKey == "task.received" ? new IOException("no broker") : null;

        await worker.Events.SendTaskEventAsync(TaskEvent("task-received", "id-1"), default);
        await Wait.ForAsync(worker.Events.FlushAsync(), "the failed flush to end");
        await worker.Events.SendTaskEventAsync(TaskEvent("task-started", "id-1"), default);
        await Wait.ForAsync(worker.Events.FlushAsync(), "the next flush");

        Assert.Equal(["task-started"], worker.Publisher.Events().Select(e => e.GetProperty("type").GetString()));
        Assert.Contains(worker.Logged.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("task-received", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopHeartbeat_TaskEventsStillBuffered_SendsWorkerOfflineAfterThem()
    {
        await using var worker = Buffered(24);
        await worker.Heartbeat.StartAsync(default);
        var release = new TaskCompletionSource();
        worker.Publisher.HoldWhen = m => m.RoutingKey.StartsWith("task.", StringComparison.Ordinal) ? release.Task : null;
        await worker.Events.SendTaskEventAsync(TaskEvent("task-succeeded", "id-1"), default);

        var stopping = worker.Heartbeat.StopAsync(default).AsTask();
        Assert.False(stopping.IsCompleted, "worker-offline waits for the task events handed over before it");
        release.SetResult();
        await Wait.ForAsync(stopping, "the heartbeat to stop");

        Assert.Equal(["worker-online", "task-succeeded", "worker-offline"], worker.Publisher.Events().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task SendTaskEventAsync_LimitOne_SendsBeforeItCompletes()
    {
        await using var worker = Buffered(1);

        await worker.Events.SendTaskEventAsync(TaskEvent("task-received", "id-1"), default);

        Assert.Equal("task.received", Assert.Single(worker.Publisher.Messages).RoutingKey);
    }

    [Fact]
    public void Encode_NonAsciiAndNestedValues_AreReadableJson()
    {
        var celeryEvent = new CeleryEvent("task-received").With("args", "('héllo',)").With("retries", 2L).With("nested", new[] { 1, 2 });

        Assert.Equal("""{"args":"('héllo',)","retries":2,"nested":[1,2],"type":"task-received"}""", System.Text.Encoding.UTF8.GetString(celeryEvent.Encode().Span));
    }

    private TestWorker Buffered(int maxPerMessage) =>
        TestWorker.Create(output, services: s => s.Configure<EventOptions>(e => e.MaxTaskEventsPerMessage = maxPerMessage));

    // Sends the first event and waits until its publish has started and is held: what is sent before the returned source
    // is completed is buffered behind it.
    private static async Task<TaskCompletionSource> SendWhileFirstIsHeldAsync(TestWorker worker, CeleryEvent first)
    {
        var release = new TaskCompletionSource();
        worker.Publisher.HoldWhen = _ => worker.Publisher.Started == 1 ? release.Task : null;
        await worker.Events.SendTaskEventAsync(first, default);
        await Wait.UntilAsync(() => worker.Publisher.Started == 1, "the first event's publish");
        return release;
    }

    private static CeleryEvent TaskEvent(string type, string id) => new CeleryEvent(type).With("uuid", id);
}
