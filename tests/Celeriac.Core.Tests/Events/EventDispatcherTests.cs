using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;

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
    public void Encode_NonAsciiAndNestedValues_AreReadableJson()
    {
        var celeryEvent = new CeleryEvent("task-received").With("args", "('héllo',)").With("retries", 2L).With("nested", new[] { 1, 2 });

        Assert.Equal("""{"args":"('héllo',)","retries":2,"nested":[1,2],"type":"task-received"}""", System.Text.Encoding.UTF8.GetString(celeryEvent.Encode().Span));
    }
}
