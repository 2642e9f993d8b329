using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Celeriac.Core.Protocol;

/// <summary>
/// The body compressions kombu offers that Debian's Celery can produce (<c>kombu/compression.py</c> registers
/// brotli and zstd only when their optional modules are installed, which Debian's python3-celery does not pull in):
/// zlib, bzip2 and lzma, named by the <c>compression</c> header.
/// </summary>
internal static class MessageCompression
{
    private enum Kind
    {
        Zlib,
        Bzip2,
        Xz,
    }

    /// <summary>Decompresses <paramref name="body"/>; no header (null or empty) means a plain body.</summary>
    /// <exception cref="MessageDecodeException">The compression is unknown or the body is not a valid stream of it.</exception>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> body, string? compression)
    {
        if (string.IsNullOrEmpty(compression))
        {
            return body;
        }

        var kind = Resolve(compression) ?? throw new MessageDecodeException(
            $"Compression '{compression}' is not supported; zlib (application/x-gzip), bzip2 (application/x-bz2) and lzma (application/x-lzma) are.");
        try
        {
            using var input = new MemoryStream(body.ToArray(), writable: false);
            using var decompressor = Open(kind, input);
            using var output = new MemoryStream();
            decompressor.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or SharpCompress.Common.SharpCompressException or FormatException
            or ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException)
        {
            // The decompressors report corrupt input with a variety of exceptions (SharpCompress's own, and the BCL's
            // from deep inside its decoders); every one of them means a body we cannot read.
            throw new MessageDecodeException($"The body is not a valid {Describe(kind)} stream.", ex);
        }
    }

    // kombu's content types and the aliases its compress() accepts. kombu registers zlib under
    // 'application/x-gzip' (aliases gzip, zlib): the stream is zlib, not gzip. lzma.compress writes the xz container.
    private static Kind? Resolve(string compression) => compression.ToLowerInvariant() switch
    {
        "application/x-gzip" or "gzip" or "zlib" or "application/zlib" => Kind.Zlib,
        "application/x-bz2" or "bzip2" or "bzip" => Kind.Bzip2,
        "application/x-lzma" or "lzma" or "xz" => Kind.Xz,
        _ => null,
    };

    private static Stream Open(Kind kind, Stream input) => kind switch
    {
        Kind.Zlib => new ZLibStream(input, CompressionMode.Decompress),
        // Python's bz2.compress writes one stream; a concatenated one (bz2 files joined) is read whole too.
        Kind.Bzip2 => BZip2Stream.Create(input, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true,
            tolerateTruncatedStream: false),
        _ => new XZStream(input),
    };

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Zlib => "zlib",
        Kind.Bzip2 => "bzip2",
        _ => "xz (lzma)",
    };
}
