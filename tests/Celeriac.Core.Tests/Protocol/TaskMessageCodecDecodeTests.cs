using System.IO.Compression;
using System.Text;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using Celeriac.Core.Transport;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>What Celeriac refuses to read, and says why: content type, encoding, JSON, body shape, compression, kombu types.</summary>
public sealed class TaskMessageCodecDecodeTests
{
    private static readonly Dictionary<string, object?> s_v2Headers = new() { ["task"] = "tasks.add", ["id"] = "id-1" };

    [Theory]
    [InlineData("application/x-python-serialize")]
    [InlineData("application/x-yaml")]
    [InlineData(null)]
    public void Decode_NonJsonContentType_NamesTheTypeAndTheFix(string? contentType)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Raw("[[], {}, {}]", s_v2Headers, contentType)));

        Assert.Contains($"'{contentType}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("task_serializer='json'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_JsonWithCharsetParameter_IsAccepted()
    {
        var task = TaskMessageCodec.Decode(Raw("[[1], {}, {}]", s_v2Headers, "application/json; charset=utf-8"));

        AssertJson.Equal("[1]", task.Args);
    }

    [Fact]
    public void Decode_NonUtf8ContentEncoding_IsRejected()
    {
        var message = Raw("[[], {}, {}]", s_v2Headers) with { ContentEncoding = "binary" };

        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(message));

        Assert.Contains("'binary'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[[2, 3], {}, {")]
    [InlineData("not json")]
    [InlineData("")]
    public void Decode_BadJson_SaysTheBodyIsNotJson(string body)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Raw(body, s_v2Headers)));

        Assert.StartsWith("The body is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"args": []}""", "must be the array [args, kwargs, embed]")]
    [InlineData("[[]]", "must be the array [args, kwargs, embed]")]
    [InlineData("[[], {}, {}, {}]", "must be the array [args, kwargs, embed]")]
    [InlineData("[{}, {}, {}]", "args must be a JSON array, not Object")]
    [InlineData("[[], [], {}]", "kwargs must be a JSON object, not Array")]
    [InlineData("[[], {}, 5]", "embed must be a JSON object, not Number")]
    public void Decode_BodyNotArgsKwargsEmbed_SaysWhatIsWrong(string body, string expected)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Raw(body, s_v2Headers)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BodyWithoutEmbed_IsAccepted()
    {
        var task = TaskMessageCodec.Decode(Raw("""[[1], {"a": 2}]""", s_v2Headers));

        Assert.False(task.Embed.HasWork);
        AssertJson.Equal("""{"a": 2}""", task.Kwargs);
    }

    [Theory]
    [InlineData("application/x-gzip")]
    [InlineData("zlib")]
    public void Decode_ZlibCompressedBody_IsDecompressed(string compression)
    {
        var message = new TransportMessage
        {
            Body = Zlib("[[2, 3], {}, {}]"),
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Headers = new Dictionary<string, object?>(s_v2Headers) { ["compression"] = compression },
        };

        var task = TaskMessageCodec.Decode(message);

        AssertJson.Equal("[2, 3]", task.Args);
    }

    [Fact]
    public void Decode_CompressionHeaderOnPlainBody_SaysTheStreamIsInvalid()
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["compression"] = "application/x-gzip" });

        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(message));

        Assert.Equal("The body is not a valid zlib stream.", error.Message);
    }

    [Fact]
    public void Decode_UnsupportedCompression_NamesIt()
    {
        var message = Raw("[[], {}, {}]", new Dictionary<string, object?>(s_v2Headers) { ["compression"] = "application/x-brotli" });

        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(message));

        Assert.Contains("'application/x-brotli'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[[{"__type__": "pickle", "__value__": "x"}], {}, {}]""", "pickle")]
    [InlineData("""[[], {"when": {"__type__": "frozenset", "__value__": []}}, {}]""", "frozenset")]
    [InlineData("""[[[1, {"deep": {"__type__": "complex", "__value__": "1j"}}]], {}, {}]""", "complex")]
    public void Decode_UnknownKombuType_IsADecodeError(string body, string tag)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Raw(body, s_v2Headers)));

        Assert.Contains($"__type__: {tag}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_KnownKombuTypes_AreKeptForBinding()
    {
        var task = TaskMessageCodec.Decode(Raw("""[[{"__type__": "uuid", "__value__": {"hex": "0123456789abcdef0123456789abcdef"}}], {}, {}]""", s_v2Headers));

        Assert.Equal("uuid", task.Args[0].GetProperty("__type__").GetString());
    }

    private static byte[] Zlib(string text)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
