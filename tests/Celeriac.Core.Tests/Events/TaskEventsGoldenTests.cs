using System.Text.Json;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Events;

/// <summary>
/// Task events Celeriac sends match the events in Celery's captured <c>task.multi</c> batches, one by one:
/// Celeriac sends each event alone, with the event's own routing key (<c>task.succeeded</c>), which the
/// Python receiver accepts as well.
/// </summary>
public sealed class TaskEventsGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> GoldenTaskEvents()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in GoldenMessage.Files("c_event_task_"))
        {
            foreach (var element in GoldenMessage.Load(file).BodyJson.EnumerateArray())
            {
                data.Add(file, element.GetProperty("type").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenTaskEvents))]
    public async Task SendAsync_SameTaskEventAsTheCapture_HasItsShapeAndValues(string file, string type)
    {
        await using var worker = TestWorker.Create(output);
        var golden = GoldenMessage.Load(file);
        var expected = GoldenAssert.EventOfType(golden, type);

        await worker.Events.SendAsync(EventFor(expected), default);

        var sent = Assert.Single(worker.Publisher.Messages);
        GoldenAssert.SameEnvelope(golden, sent, routingKey: type.Replace('-', '.'));
        Assert.Equal(TestWorker.Hostname, sent.Message.Headers["hostname"]);
        Assert.False(sent.RequiresConfirmation);
        GoldenAssert.SameEvent(expected, JsonDocument.Parse(sent.Message.Body).RootElement);
    }

    // The event Celeriac sends for the same happening: the golden 'add' task (2, 3) and 'boom' task (7).
    private static CeleryEvent EventFor(JsonElement golden)
    {
        var add = TaskMessageCodec.Decode(GoldenMessage.Load("a_task_message_add.json").ToTransportMessage());
        var task = add with { Id = golden.GetProperty("uuid").GetString()! };
        return golden.GetProperty("type").GetString() switch
        {
            "task-received" => TaskEvents.Received(task),
            "task-started" => TaskEvents.Started(task, DateTimeOffset.UtcNow),
            "task-succeeded" => TaskEvents.Finished(task, TaskOutcome.Success(Json(golden.GetProperty("result").GetString()!), TimeSpan.FromSeconds(4))),
            "task-failed" => TaskEvents.Finished(task, TaskOutcome.Failure(TaskError.Create("ValueError", "boom 7", "builtins"),
                golden.GetProperty("traceback").GetString(), TimeSpan.FromSeconds(1))),
            "task-revoked" => TaskEvents.Finished(task, TaskOutcome.Revoked(golden.GetProperty("terminated").GetBoolean() ? RevokeReason.Terminated : RevokeReason.Revoked)),
            var other => throw new InvalidOperationException($"No Celeriac event for the new vector type {other}: add one."),
        };
    }
}
