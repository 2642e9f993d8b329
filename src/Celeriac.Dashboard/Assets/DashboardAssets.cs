using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Celeriac.Dashboard.Assets;

/// <summary>The page, script and style embedded in this assembly, read once: the dashboard needs no file, CDN or build step.</summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "Celeriac.Dashboard.Assets.";

    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var file = name[Prefix.Length..];
            assets[file] = new Asset(file, bytes, ContentType(file), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool TryGet(string file, out Asset asset) => _assets.TryGetValue(file, out asset!);

    /// <summary>An HTML template's text.</summary>
    public string Text(string file) => System.Text.Encoding.UTF8.GetString(_assets[file].Content);

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}

/// <summary>One embedded file.</summary>
internal sealed record Asset(string Name, byte[] Content, string ContentType, string ETag);
