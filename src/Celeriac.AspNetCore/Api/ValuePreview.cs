using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.AspNetCore.Api;

/// <summary>Cuts a long JSON value or text to its first bytes, for listings.</summary>
internal static class ValuePreview
{
    private const string Ellipsis = "…";

    /// <summary>The value itself when its JSON text fits in <paramref name="maxBytes"/>, else a JSON string with its start.</summary>
    public static JsonElement? Of(JsonElement? value, int maxBytes, string member, ref List<string>? truncated)
    {
        if (value is not { } element)
        {
            return null;
        }

        // The element's own text, without copying it: a 1 MB argument is measured, not serialised.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (raw.Length <= maxBytes)
        {
            return value;
        }

        (truncated ??= []).Add(member);
        return CeleryJson.ToElement(Start(raw, maxBytes));
    }

    /// <summary>The text itself when it fits in <paramref name="maxBytes"/> (as UTF-8), else its start.</summary>
    public static string? Of(string? text, int maxBytes, string member, ref List<string>? truncated)
    {
        if (text is null || text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        (truncated ??= []).Add(member);
        return Start(Encoding.UTF8.GetBytes(text), maxBytes);
    }

    // Cut at a character boundary: never in the middle of a UTF-8 sequence.
    private static string Start(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        var cut = Math.Min(maxBytes, utf8.Length);
        while (cut > 0 && cut < utf8.Length && (utf8[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return Encoding.UTF8.GetString(utf8[..cut]) + Ellipsis;
    }
}
