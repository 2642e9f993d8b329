using Celeriac.Core.Protocol;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>Protocol 2 headers: required ids, times, limits.</summary>
public sealed class TaskMessageCodecHeaderTests
{
    private static readonly Dictionary<string, object?> s_v2Headers = new() { ["task"] = "tasks.add", ["id"] = "id-1" };

    [Fact]
    public void Decode_ProtocolV2WithoutIdHeader_SaysIdIsMissing()
    {
        var error = Assert.Throws<MessageDecodeException>(() =>
            TaskMessageCodec.Decode(Raw("[[], {}, {}]", new Dictionary<string, object?> { ["task"] = "tasks.add" })));

        Assert.Equal("The message has no 'id'.", error.Message);
    }

    [Fact]
    public void Decode_ProtocolV2WithEmptyTaskHeader_SaysTaskIsMissing()
    {
        var error = Assert.Throws<MessageDecodeException>(() =>
            TaskMessageCodec.Decode(Raw("[[], {}, {}]", new Dictionary<string, object?> { ["task"] = "", ["id"] = "id-1" })));

        Assert.Equal("The message has no 'task'.", error.Message);
    }

    [Theory]
    [InlineData("2026-03-01T12:00:10.123456+00:00", "2026-03-01T12:00:10.1234560+00:00")]
    [InlineData("2026-03-01T12:00:10.123456", "2026-03-01T12:00:10.1234560+00:00")]
    [InlineData("2026-03-01T14:00:10+02:00", "2026-03-01T12:00:10.0000000+00:00")]
    [InlineData("2026-03-01T07:00:10.5-05:00", "2026-03-01T12:00:10.5000000+00:00")]
    [InlineData("2026-03-01T12:00:10Z", "2026-03-01T12:00:10.0000000+00:00")]
    [InlineData("2026-03-01 12:00:10", "2026-03-01T12:00:10.0000000+00:00")]
    public void Decode_EtaAndExpires_ParseWithAndWithoutOffsets(string header, string expectedUtc)
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["eta"] = header, ["expires"] = header });

        var task = TaskMessageCodec.Decode(message);

        var expected = DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, task.Eta);
        Assert.Equal(expected, task.Expires);
        Assert.Equal(TimeSpan.Zero, task.Eta!.Value.Offset);
    }

    [Fact]
    public void Decode_UnparseableEta_IsADecodeError()
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["eta"] = "tomorrow" });

        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(message));

        Assert.Contains("'eta'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TimeLimits))]
    public void Decode_TimeLimitHeader_IsHardThenSoft(object? hard, object? soft, double? expectedHard, double? expectedSoft)
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["timelimit"] = new[] { hard, soft } });

        var task = TaskMessageCodec.Decode(message);

        Assert.Equal(expectedHard, task.TimeLimit);
        Assert.Equal(expectedSoft, task.SoftTimeLimit);
    }

    public static TheoryData<object?, object?, double?, double?> TimeLimits => new()
    {
        { null, null, null, null },
        { 10, 5, 10.0, 5.0 },
        { 2.5, null, 2.5, null },
        { null, 30L, null, 30.0 },
    };

    [Fact]
    public void Decode_TimeLimitNotAPair_IsADecodeError()
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["timelimit"] = 10 });

        Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(message));
    }

    [Fact]
    public void Decode_NoCorrelationId_UsesTheTaskId()
    {
        var task = TaskMessageCodec.Decode(Raw("[[], {}, {}]", s_v2Headers));

        Assert.Equal("id-1", task.CorrelationId);
        Assert.Equal("id-1", task.RootId);
    }
}
