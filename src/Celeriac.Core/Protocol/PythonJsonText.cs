using System.Buffers;
using System.Globalization;
using System.Text;

namespace Celeriac.Core.Protocol;

/// <summary>
/// The parts of Python's JSON that standard JSON lacks. Python's <c>json</c> (and so Celery's) writes <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c> as bare literals and escapes lone surrogates (<c>"\ud800"</c>), which a
/// Python <c>str</c> may hold. In memory Celeriac keeps standard JSON: each non-finite float becomes the marker
/// <c>{"__type__":"float","__value__":"NaN"}</c> (kombu's typed-value shape) and lone surrogate escapes stay as
/// they are in the raw text; on the way out the markers become the bare literals again.
/// </summary>
internal static class PythonJsonText
{
    /// <summary>The type tag of the non-finite float marker.</summary>
    public const string FloatTypeTag = "float";

    private static readonly byte[] s_markerPrefix = "{\"__type__\":\"float\",\"__value__\":\""u8.ToArray();
    private static readonly byte[] s_markerSuffix = "\"}"u8.ToArray();
    private static readonly byte[][] s_literals = ["NaN"u8.ToArray(), "Infinity"u8.ToArray(), "-Infinity"u8.ToArray()];

    /// <summary>The marker for a non-finite double, as compact JSON.</summary>
    public static string Marker(double value) =>
        "{\"__type__\":\"float\",\"__value__\":\"" + (double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity") + "\"}";

    /// <summary>The double a marker's <c>__value__</c> stands for; false for anything else.</summary>
    public static bool TryParseLiteral(string? literal, out double value)
    {
        value = literal switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => 0 };
        return literal is "NaN" or "Infinity" or "-Infinity";
    }

    /// <summary>
    /// Replaces the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> outside strings by markers; false (and no copy)
    /// when there are none.
    /// </summary>
    public static bool TryReplaceLiterals(ReadOnlySpan<byte> json, out byte[] replaced)
    {
        replaced = [];
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == '"')
            {
                inString = true;
                continue;
            }

            if (b is not ((byte)'N' or (byte)'I' or (byte)'-'))
            {
                continue;
            }

            foreach (var literal in s_literals)
            {
                if (json[i..].StartsWith(literal))
                {
                    output ??= new ArrayBufferWriter<byte>(json.Length + 64);
                    output.Write(json[copied..i]);
                    output.Write(s_markerPrefix);
                    output.Write(literal);
                    output.Write(s_markerSuffix);
                    i += literal.Length - 1;
                    copied = i + 1;
                    break;
                }
            }
        }

        if (output is null)
        {
            return false;
        }

        output.Write(json[copied..]);
        replaced = output.WrittenSpan.ToArray();
        return true;
    }

    /// <summary>
    /// True when the raw text must be written as it is: it holds a marker, or a surrogate escape (<c>\ud800</c>, which
    /// System.Text.Json fails to re-encode when it stands alone). Anything else is written the usual (compact) way.
    /// </summary>
    public static bool NeedsRawWrite(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf(s_markerPrefix) >= 0)
        {
            return true;
        }

        for (var at = json.IndexOf("\\u"u8); at >= 0 && at + 3 < json.Length; at = Next(json, at))
        {
            if (json[at + 2] is (byte)'d' or (byte)'D' && json[at + 3] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
        }

        return false;

        static int Next(ReadOnlySpan<byte> json, int at)
        {
            var next = json[(at + 2)..].IndexOf("\\u"u8);
            return next < 0 ? -1 : at + 2 + next;
        }
    }

    /// <summary>The JSON text with every marker turned back into its bare literal, as Python's json writes it.</summary>
    public static ReadOnlySpan<byte> RestoreLiterals(ReadOnlySpan<byte> json)
    {
        var at = json.IndexOf(s_markerPrefix);
        if (at < 0)
        {
            return json;
        }

        var output = new ArrayBufferWriter<byte>(json.Length);
        while (at >= 0)
        {
            output.Write(json[..at]);
            var rest = json[(at + s_markerPrefix.Length)..];
            var end = rest.IndexOf(s_markerSuffix);
            var literal = end < 0 ? null : Encoding.ASCII.GetString(rest[..end]);
            if (TryParseLiteral(literal, out _))
            {
                output.Write(Encoding.ASCII.GetBytes(literal!));
                json = rest[(end + s_markerSuffix.Length)..];
            }
            else
            {
                // Someone's own object that merely starts like a marker: as it is.
                output.Write(s_markerPrefix);
                json = rest;
            }

            at = json.IndexOf(s_markerPrefix);
        }

        output.Write(json);
        return output.WrittenSpan;
    }

    /// <summary>
    /// Unescapes the raw text of a JSON string (without its quotes) as Python would, keeping lone surrogates, which
    /// System.Text.Json refuses to put in a string.
    /// </summary>
    public static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        var start = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '\\')
            {
                continue;
            }

            builder.Append(Encoding.UTF8.GetString(escaped[start..i]));
            var kind = (char)escaped[++i];
            switch (kind)
            {
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    builder.Append((char)int.Parse(Encoding.ASCII.GetString(escaped.Slice(i + 1, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: builder.Append(kind); break;
            }

            start = i + 1;
        }

        builder.Append(Encoding.UTF8.GetString(escaped[start..]));
        return builder.ToString();
    }

    /// <summary>A string as a JSON string literal, escaping what Python's json escapes (lone surrogates included) and nothing it does not need.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    var paired = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
                    if (c < ' ' || (char.IsSurrogate(c) && !paired))
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else if (paired)
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
