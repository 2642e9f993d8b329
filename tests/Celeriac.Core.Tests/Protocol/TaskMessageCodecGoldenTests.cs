using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>Every task message real Celery 5.2.6 put on the wire decodes to what it says.</summary>
public sealed class TaskMessageCodecGoldenTests
{
    public static TheoryData<string, string, string, string, string, string, string> TaskMessages => new()
    {
        // file, id, name, args, argsrepr, reply_to, origin
        { "a_task_message_add.json", "6c1d5de3-b14b-49ed-859c-b641e384b6a3", "tasks.add", "[2, 3]", "(2, 3)", "94d13c29-7d38-35e4-a1b1-f2f1e9b5ad08", "gen719@vm" },
        { "a_task_message_boom.json", "5ab09674-d044-4c73-9a3e-f7e6054b6c4d", "tasks.boom", "[7]", "(7,)", "94d13c29-7d38-35e4-a1b1-f2f1e9b5ad08", "gen719@vm" },
        { "a_task_message_basic_get.json", "32d77a2c-308e-43ed-88d1-1ddc050244ad", "tasks.add", "[2, 3]", "(2, 3)", "495d31cb-a00d-3cb4-affc-734ae5a34043", "gen32430@vm" },
    };

    [Fact]
    public void TaskMessages_CoverEveryGoldenTaskMessage()
    {
        var covered = TaskMessages.Select(row => (string)row[0]).Order(StringComparer.Ordinal);

        Assert.Equal(GoldenMessage.Files("a_"), covered);
    }

    [Theory]
    [MemberData(nameof(TaskMessages))]
    public void Decode_GoldenTaskMessage_ReadsEveryField(string file, string id, string name, string args, string argsRepr, string replyTo, string origin)
    {
        var golden = GoldenMessage.Load(file);

        var task = TaskMessageCodec.Decode(golden.ToTransportMessage());

        Assert.Equal(2, task.ProtocolVersion);
        Assert.Equal(id, task.Id);
        Assert.Equal(name, task.Name);
        AssertJson.Equal(args, task.Args);
        AssertJson.Equal("{}", task.Kwargs);
        Assert.False(task.Embed.HasWork);
        Assert.Equal(0, task.Retries);
        Assert.Equal(id, task.RootId);
        Assert.Null(task.ParentId);
        Assert.Null(task.GroupId);
        Assert.Null(task.GroupIndex);
        Assert.Null(task.Shadow);
        Assert.Null(task.Eta);
        Assert.Null(task.Expires);
        Assert.Null(task.TimeLimit);
        Assert.Null(task.SoftTimeLimit);
        Assert.Equal(argsRepr, task.ArgsRepr);
        Assert.Equal("{}", task.KwargsRepr);
        Assert.Equal(origin, task.Origin);
        Assert.False(task.IgnoreResult);
        Assert.Equal(replyTo, task.ReplyTo);
        Assert.Equal(id, task.CorrelationId);
        Assert.Equal(0, task.Priority);
        Assert.Equal(name, task.DisplayName);
    }

    [Theory]
    [MemberData(nameof(TaskMessages))]
    public void Encode_DecodedGoldenTaskMessage_ReproducesTheCapturedMessage(string file, string id, string name, string args, string argsRepr, string replyTo, string origin)
    {
        _ = (id, name, args, argsRepr, replyTo, origin);
        var golden = GoldenMessage.Load(file);

        var encoded = TaskMessageCodec.Encode(TaskMessageCodec.Decode(golden.ToTransportMessage()));

        Assert.Equal(golden.HeaderWireTypes, AmqpWireTypes.Of(encoded.Headers));
        Assert.Equal(golden.Headers, encoded.Headers, HeaderValueComparer.Instance);
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(encoded.Body));
        Assert.Equal(golden.Property("content_type"), encoded.ContentType);
        Assert.Equal(golden.Property("content_encoding"), encoded.ContentEncoding);
        Assert.Equal(golden.Property("correlation_id"), encoded.CorrelationId);
        Assert.Equal(golden.Property("reply_to"), encoded.ReplyTo);
        Assert.Equal(golden.IntProperty("delivery_mode"), encoded.DeliveryMode);
        Assert.Equal(golden.IntProperty("priority"), encoded.Priority);
        Assert.Null(encoded.Expiration);
    }

    [Fact]
    public void Encode_MinimalTask_HasGoldenHeaderKeysOrderAndWireTypes()
    {
        var golden = GoldenMessage.Load("a_task_message_add.json");
        var task = new TaskMessage { Id = "6c1d5de3-b14b-49ed-859c-b641e384b6a3", Name = "tasks.add", Args = Fakes.TestMessages.Json("[2, 3]") };

        var encoded = TaskMessageCodec.Encode(task);

        Assert.Equal(golden.HeaderWireTypes, AmqpWireTypes.Of(encoded.Headers));
        Assert.Equal(JsonShape.Of(golden.BodyJson), JsonShape.Of(System.Text.Json.JsonDocument.Parse(encoded.Body).RootElement));
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(encoded.Body));
        Assert.Equal("(2, 3)", encoded.Headers["argsrepr"]);
        Assert.Equal("{}", encoded.Headers["kwargsrepr"]);
        Assert.Equal(task.Id, encoded.Headers["root_id"]);
        Assert.Equal(task.Id, encoded.CorrelationId);
        Assert.Matches(@"^gen\d+@.+$", (string)encoded.Headers["origin"]!);
    }
}
