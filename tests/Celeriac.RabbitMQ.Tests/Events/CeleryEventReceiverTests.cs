using System.Text;
using Celeriac.RabbitMQ.Tests.Support;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Tests.Events;

/// <summary>The receiver side of events, like Celery's <c>app.events.Receiver</c>.</summary>
public sealed class CeleryEventReceiverTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    [Fact]
    public async Task SubscribeAsync_WakeupBeforeAnyWorkerStarted_SubscribesAndSeesTheWorkerComeOnline()
    {
        // A monitor started before any worker: nothing has declared celery.pidbox yet, and the wakeup is broadcast there.
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync(wakeup: true);

        await using var worker = await InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.noop", () => { }));

        await events.WaitForAsync("worker-online", worker.Hostname);
        var result = await client.Client.SendAsync("tests.noop");
        await result.GetAsync(TestTimeouts.Long);
        await events.WaitForAsync("task-succeeded", worker.Hostname, result.Id);
    }

    [Fact]
    public async Task SubscribeAsync_BatchedListOfEvents_YieldsEachEvent()
    {
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync();
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        var id = Guid.NewGuid().ToString();

        // What a prefork Celery worker sends: task events buffered into one JSON list under 'task.multi'.
        var body = Encoding.UTF8.GetBytes($$"""
            [{"type": "task-received", "uuid": "{{id}}", "name": "tasks.add", "hostname": "celery@py", "timestamp": 1.0, "clock": 1, "utcoffset": 0, "pid": 1},
             {"type": "task-started", "uuid": "{{id}}", "hostname": "celery@py", "timestamp": 2.0, "clock": 2, "utcoffset": 0, "pid": 1}]
            """);
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            DeliveryMode = DeliveryModes.Transient,
            Headers = new Dictionary<string, object?> { ["hostname"] = "celery@py" },
        };
        await raw.Channel.BasicPublishAsync("celeryev", "task.multi", mandatory: false, properties, body);

        await events.WaitForAsync("task-received", "celery@py", id);
        await events.WaitForAsync("task-started", "celery@py", id);
    }
}
