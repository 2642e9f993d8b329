using System.Text;
using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Tests.Support;
using RabbitMQ.Client;

namespace Celeriac.RabbitMQ.Tests.Worker;

/// <summary>
/// A message the worker cannot process never crashes it and is never silently dropped: it is parked in
/// <c>celery_error</c> with the reason in a header (the <c>celery</c> queue's declare arguments stay Celery's), and
/// the worker goes on with the next task. An unregistered task also gives its caller FAILURE NotRegistered.
/// </summary>
public sealed class MalformedMessageTests(VirtualHostFixture fixture, ITestOutputHelper output) : IClassFixture<VirtualHostFixture>
{
    private const string ReasonHeader = "x-celeriac-parked-reason";

    public static TheoryData<string, string, byte[], string> Undecodable => new()
    {
        // case, content type, body, what the reason says
        { "not JSON", "application/json", Encoding.UTF8.GetBytes("this is {not json"), "not valid JSON" },
        { "protocol 2 body that is not an array", "application/json", Encoding.UTF8.GetBytes("""{"args": [2, 3]}"""), "[args, kwargs, embed]" },
        { "pickle", "application/x-python-serialize", [0x80, 0x04, 0x95, 0x1a, 0x00, 0x4b, 0x02, 0x4b, 0x03, 0x86, 0x94, 0x2e], "application/x-python-serialize" },
    };

    [Theory]
    [MemberData(nameof(Undecodable))]
    public async Task Receive_UndecodableMessage_ParkedWithReasonAndNextTaskRuns(string description, string contentType, byte[] body, string reasonSays)
    {
        await using var worker = await StartWorkerAsync();
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        var replyTo = await raw.DeclareReplyQueueAsync();
        var id = Guid.NewGuid().ToString();
        var properties = RawAmqp.CeleryTaskProperties(id, "tests.add", replyTo, "(2, 3)");
        properties.ContentType = contentType;

        await raw.PublishAsync("celery", body, properties);

        var parked = await raw.GetMatchingAsync("celery_error", m => HeaderText(m, "id") == id, TestTimeouts.Short, $"the {description} message in celery_error");
        var reason = RawAmqp.LongString(parked.BasicProperties, ReasonHeader);
        Assert.True(reason.Contains(reasonSays, StringComparison.Ordinal), $"Expected the parked reason for a {description} message to mention '{reasonSays}'; it is '{reason}'.");
        Assert.Equal(body, parked.Body.ToArray());
        Assert.Equal(contentType, parked.BasicProperties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, parked.BasicProperties.DeliveryMode);
        Assert.Equal("celery", RawAmqp.LongString(parked.BasicProperties, "x-celeriac-original-queue"));
        // Better than Celery (whose caller waits forever): the id and reply queue were readable, so the caller hears of it.
        var failure = await raw.GetAsync(replyTo, TestTimeouts.Short, "the DecodeError result");
        using (var result = JsonDocument.Parse(failure.Body))
        {
            Assert.Equal("FAILURE", result.RootElement.GetProperty("status").GetString());
            Assert.Equal("DecodeError", result.RootElement.GetProperty("result").GetProperty("exc_type").GetString());
        }

        await AssertWorkerStillRunsTasksAsync(client);
    }

    [Fact]
    public async Task Receive_UnregisteredTask_CallerGetsNotRegisteredAndMessageParked()
    {
        await using var worker = await StartWorkerAsync();
        await using var raw = await RawAmqp.ConnectAsync(fixture.VirtualHost);
        await using var client = TestClient.Create(fixture.VirtualHost, output);
        await using var events = await client.SubscribeAsync();

        var result = await client.Client.SendAsync("tasks.not_here", 1);

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => result.GetAsync(TestTimeouts.Long));
        Assert.Equal("NotRegistered", error.ExceptionType);
        Assert.Equal("tasks.not_here", error.Error.Message);
        var failed = await events.WaitForAsync("task-failed", worker.Hostname, result.Id);
        Assert.Equal("NotRegistered('tasks.not_here')", failed.GetProperty("exception").GetString());
        var parked = await raw.GetMatchingAsync("celery_error", m => HeaderText(m, "id") == result.Id, TestTimeouts.Short, "the unregistered task in celery_error");
        Assert.Contains("not registered", RawAmqp.LongString(parked.BasicProperties, ReasonHeader), StringComparison.Ordinal);
        Assert.Equal("tasks.not_here", HeaderText(parked, "task"));

        await AssertWorkerStillRunsTasksAsync(client);
    }

    private Task<InProcessWorker> StartWorkerAsync() =>
        InProcessWorker.StartAsync(fixture.VirtualHost, output, b => b.AddTask("tests.add", (int x, int y) => x + y));

    private async Task AssertWorkerStillRunsTasksAsync(TestClient client)
    {
        var next = await client.Client.SendAsync("tests.add", 20, 22);
        Assert.Equal(42, (await next.GetAsync(TestTimeouts.Long)).GetInt32());
        var queue = await ManagementAssert.QueueExistsAsync(fixture.VirtualHost, "celery");
        ManagementAssert.HasArguments(queue, "queue celery", new Dictionary<string, object>());
    }

    private static string? HeaderText(BasicGetResult message, string header) =>
        message.BasicProperties.Headers?.TryGetValue(header, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
