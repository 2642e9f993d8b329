using System.IO.Compression;
using System.Text;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using Celeriac.Core.Transport;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>Bodies compressed as kombu compresses them (zlib, bzip2, lzma), read by <see cref="TaskMessageCodec"/>.</summary>
public sealed class MessageCompressionTests
{
    private const string Body = """[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]""";

    // Python 3.11's bz2.compress(Body) and lzma.compress(Body), as kombu's compress() calls them.
    private const string Bzip2Body =
        "QlpoOTFBWSZTWaRTNS4AAA+bgFAEGBAACj5tmgogAFQ1AGgANNBKmJqGh6g9QyKDgh7KRfKnlLYiH3BWh+Se77WpIy1GQqGFNWw7AESeQGBAcl8XckU4UJCkUzUu";

    private const string XzBody =
        "/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4ABQADZdAC3gxFghFmYaLE91EEZQl45P+JXz7EBhcwcW3cF2FJS4v+KyE8ElvCxsTUIn6T/m2ZkUoqc8AAAAAL+W5h8113PWAAFSUZ/rZ7QftvN9AQAAAAAEWVo=";

    [Theory]
    [InlineData("application/x-bz2")]
    [InlineData("bzip2")]
    public void Decode_Bzip2BodyFromPython_IsDecompressed(string compression)
    {
        var task = TaskMessageCodec.Decode(Message(Convert.FromBase64String(Bzip2Body), compression));

        AssertJson.Equal("[2, 3]", task.Args);
    }

    [Theory]
    [InlineData("application/x-lzma")]
    [InlineData("xz")]
    public void Decode_LzmaBodyFromPython_IsDecompressed(string compression)
    {
        var task = TaskMessageCodec.Decode(Message(Convert.FromBase64String(XzBody), compression));

        AssertJson.Equal("[2, 3]", task.Args);
    }

    [Fact]
    public void Decode_ZlibBody_IsDecompressed()
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(Encoding.UTF8.GetBytes(Body));
        }

        var task = TaskMessageCodec.Decode(Message(output.ToArray(), "application/x-gzip"));

        AssertJson.Equal("[2, 3]", task.Args);
    }

    [Theory]
    [InlineData("application/x-bz2", "bzip2")]
    [InlineData("application/x-lzma", "xz (lzma)")]
    public void Decode_PlainBodyUnderACompressionHeader_SaysTheStreamIsInvalid(string compression, string described)
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Message(Encoding.UTF8.GetBytes(Body), compression)));

        Assert.Equal($"The body is not a valid {described} stream.", error.Message);
    }

    [Fact]
    public void Decode_TruncatedBzip2Body_IsADecodeError()
    {
        var truncated = Convert.FromBase64String(Bzip2Body)[..40];

        Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Message(truncated, "application/x-bz2")));
    }

    [Fact]
    public void Decode_CompressionDebianCeleryCannotProduce_NamesItAndTheSupportedOnes()
    {
        var error = Assert.Throws<MessageDecodeException>(() => TaskMessageCodec.Decode(Message(Encoding.UTF8.GetBytes(Body), "application/x-brotli")));

        Assert.Contains("'application/x-brotli'", error.Message, StringComparison.Ordinal);
        Assert.Contains("application/x-bz2", error.Message, StringComparison.Ordinal);
    }

    private static TransportMessage Message(byte[] body, string compression) => new()
    {
        Body = body,
        ContentType = "application/json",
        ContentEncoding = "utf-8",
        Headers = new Dictionary<string, object?> { ["task"] = "tasks.add", ["id"] = "id-1", ["compression"] = compression },
    };
}
