using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using Celeriac.Core.Transport;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

public sealed class TaskMessageCodecEncodeTests
{
    [Fact]
    public void Encode_ThenDecode_RoundTripsEveryField()
    {
        var sent = new TaskMessage
        {
            Id = "id-1",
            Name = "tasks.add",
            Args = Json("""[2, "three", [4], {"five": 5.5}]"""),
            Kwargs = Json("""{"z": null, "w": true}"""),
            Embed = new TaskEmbed(Json("""[{"task": "tasks.cb", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]"""),
                null, Json("""[{"task": "tasks.next"}]"""), null),
            Retries = 3,
            Eta = new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero).AddTicks(1234560),
            Expires = new DateTimeOffset(2026, 3, 1, 14, 5, 0, TimeSpan.FromHours(2)),
            TimeLimit = 30,
            SoftTimeLimit = 20.5,
            RootId = "root-1",
            ParentId = "parent-1",
            GroupId = "group-1",
            GroupIndex = 4,
            Shadow = "add-shadow",
            ArgsRepr = "custom args",
            KwargsRepr = "custom kwargs",
            Origin = "gen42@host",
            IgnoreResult = true,
            ReplyTo = "reply-q",
            CorrelationId = "corr-1",
            Priority = 7,
        };

        var received = TaskMessageCodec.Decode(TaskMessageCodec.Encode(sent));

        Assert.Equal(sent.Id, received.Id);
        Assert.Equal(sent.Name, received.Name);
        AssertJson.Equal(sent.Args, received.Args);
        AssertJson.Equal(sent.Kwargs, received.Kwargs);
        AssertJson.Equal(sent.Embed.Callbacks!.Value, received.Embed.Callbacks!.Value);
        AssertJson.Equal(sent.Embed.Chain!.Value, received.Embed.Chain!.Value);
        Assert.Null(received.Embed.Errbacks);
        Assert.Null(received.Embed.Chord);
        Assert.Equal(sent.Retries, received.Retries);
        Assert.Equal(sent.Eta, received.Eta);
        Assert.Equal(sent.Expires, received.Expires);
        Assert.Equal(sent.TimeLimit, received.TimeLimit);
        Assert.Equal(sent.SoftTimeLimit, received.SoftTimeLimit);
        Assert.Equal(sent.RootId, received.RootId);
        Assert.Equal(sent.ParentId, received.ParentId);
        Assert.Equal(sent.GroupId, received.GroupId);
        Assert.Equal(sent.GroupIndex, received.GroupIndex);
        Assert.Equal(sent.Shadow, received.Shadow);
        Assert.Equal(sent.ArgsRepr, received.ArgsRepr);
        Assert.Equal(sent.KwargsRepr, received.KwargsRepr);
        Assert.Equal(sent.Origin, received.Origin);
        Assert.Equal(sent.IgnoreResult, received.IgnoreResult);
        Assert.Equal(sent.ReplyTo, received.ReplyTo);
        Assert.Equal(sent.CorrelationId, received.CorrelationId);
        Assert.Equal(sent.Priority, received.Priority);
        Assert.Equal("add-shadow", received.DisplayName);
    }

    [Fact]
    public void Encode_SetFields_UseCeleryFormatsAndWireTypes()
    {
        var task = NewTask("tasks.add", "[1]") with
        {
            Eta = new DateTimeOffset(2026, 3, 1, 14, 0, 10, TimeSpan.FromHours(2)),
            TimeLimit = 30,
            SoftTimeLimit = 20,
            GroupId = "g",
            GroupIndex = 0,
            Retries = 1,
        };

        var headers = TaskMessageCodec.Encode(task).Headers;

        Assert.Equal("2026-03-01T12:00:10.000000+00:00", headers["eta"]);
        Assert.Equal("A(d,d)", AmqpWireTypes.Of(headers["timelimit"]));
        Assert.Equal("I", AmqpWireTypes.Of(headers["group_index"]));
        Assert.Equal("I", AmqpWireTypes.Of(headers["retries"]));
        Assert.Equal("S", AmqpWireTypes.Of(headers["group"]));
    }

    [Fact]
    public void Encode_Properties_AreThoseOfACeleryTaskMessage()
    {
        var task = NewTask("tasks.add") with { CorrelationId = null };

        var message = TaskMessageCodec.Encode(task);

        Assert.Equal("application/json", message.ContentType);
        Assert.Equal("utf-8", message.ContentEncoding);
        Assert.Equal(DeliveryModes.Persistent, message.DeliveryMode);
        Assert.Equal(task.Id, message.CorrelationId);
        Assert.Equal(task.ReplyTo, message.ReplyTo);
    }

    [Theory]
    [InlineData("[]", "{}", "()", "{}")]
    [InlineData("[7]", "{}", "(7,)", "{}")]
    [InlineData("""["a", null]""", """{"k": [true]}""", "('a', None)", "{'k': [True]}")]
    public void Encode_WithoutReprs_WritesPythonReprs(string args, string kwargs, string argsRepr, string kwargsRepr)
    {
        var headers = TaskMessageCodec.Encode(NewTask("tasks.t", args, kwargs)).Headers;

        Assert.Equal(argsRepr, headers["argsrepr"]);
        Assert.Equal(kwargsRepr, headers["kwargsrepr"]);
    }
}
