using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>Protocol 1 (everything in the body) is still read.</summary>
public sealed class TaskMessageCodecV1Tests
{
    [Fact]
    public void Decode_ProtocolV1Body_ReadsFieldsFromTheBody()
    {
        var message = Raw("""
            {"task": "tasks.add", "id": "id-1", "args": [2, 3], "kwargs": {"z": 1}, "retries": 2,
             "eta": "2026-03-01T12:00:10.123456+00:00", "expires": null, "utc": true, "timelimit": [10, 5],
             "taskset": "group-1", "callbacks": [{"task": "tasks.cb"}], "errbacks": null, "chord": null}
            """) with { ReplyTo = "reply-q" };

        var task = TaskMessageCodec.Decode(message);

        Assert.Equal(1, task.ProtocolVersion);
        Assert.Equal("id-1", task.Id);
        Assert.Equal("tasks.add", task.Name);
        AssertJson.Equal("[2, 3]", task.Args);
        AssertJson.Equal("""{"z": 1}""", task.Kwargs);
        Assert.Equal(2, task.Retries);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero).AddTicks(1234560), task.Eta);
        Assert.Null(task.Expires);
        Assert.Equal(10, task.TimeLimit);
        Assert.Equal(5, task.SoftTimeLimit);
        Assert.Equal("group-1", task.GroupId);
        Assert.True(task.Embed.HasWork);
        Assert.Equal("id-1", task.RootId);
        Assert.Equal("id-1", task.CorrelationId);
        Assert.Equal("reply-q", task.ReplyTo);
    }

    [Fact]
    public void Decode_ProtocolV1WithHeaders_HeadersOverrideBodyFields()
    {
        var message = Raw("""{"task": "tasks.add", "id": "id-1", "args": [], "retries": 0}""",
            new Dictionary<string, object?> { ["retries"] = 3 });

        var task = TaskMessageCodec.Decode(message);

        Assert.Equal(3, task.Retries);
    }

    [Theory]
    [InlineData("""{"id": "id-1", "args": []}""", "'task'")]
    [InlineData("""{"task": "tasks.add", "args": []}""", "'id'")]
    [InlineData("""[[], {}, {}]""", "no 'task' header")]
    public void Decode_ProtocolV1MissingField_SaysWhichIsMissing(string body, string expected)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Raw(body)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
