using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Celeriac.Core.Protocol;

/// <summary>
/// Python's <c>repr()</c> of JSON values. Celery puts reprs in headers (<c>argsrepr</c>), events
/// (<c>args</c>, <c>result</c>, <c>exception</c>) and log lines, and monitors show them as they are.
/// </summary>
public static class PythonRepr
{
    /// <summary>Celery truncates reprs to this many characters (<c>resultrepr_maxsize</c>, <c>argsrepr</c>).</summary>
    public const int MaxLength = 1024;

    /// <summary>The repr of a JSON value: <c>None</c>, <c>True</c>, <c>'text'</c>, <c>[1, 2]</c>, <c>{'a': 1}</c>.</summary>
    public static string Format(JsonElement value, int maxLength = MaxLength)
    {
        var builder = new StringBuilder();
        Append(builder, value);
        return Truncate(builder, maxLength);
    }

    /// <summary>The repr of positional arguments as a tuple: <c>()</c>, <c>(7,)</c>, <c>(2, 3)</c>.</summary>
    public static string FormatTuple(JsonElement args, int maxLength = MaxLength)
    {
        var builder = new StringBuilder("(");
        var count = 0;
        if (args.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in args.EnumerateArray())
            {
                if (count++ > 0)
                {
                    builder.Append(", ");
                }

                Append(builder, item);
            }
        }

        builder.Append(count == 1 ? ",)" : ")");
        return Truncate(builder, maxLength);
    }

    /// <summary>The repr of a string, quoted and escaped as Python does it.</summary>
    public static string FormatString(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendString(builder, value);
        return builder.ToString();
    }

    /// <summary>The repr of an exception instance: <c>ValueError('boom 7')</c>.</summary>
    public static string FormatException(string typeName, JsonElement args)
    {
        var tuple = FormatTuple(args, int.MaxValue);
        // Python prints a one-argument exception as Type('x'), not Type('x',).
        if (tuple.EndsWith(",)", StringComparison.Ordinal))
        {
            tuple = tuple[..^2] + ")";
        }

        return typeName + tuple;
    }

    private static string Truncate(StringBuilder builder, int maxLength) =>
        builder.Length <= maxLength ? builder.ToString() : builder.ToString(0, Math.Max(0, maxLength - 3)) + "...";

    private static void Append(StringBuilder builder, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                builder.Append("None");
                break;
            case JsonValueKind.True:
                builder.Append("True");
                break;
            case JsonValueKind.False:
                builder.Append("False");
                break;
            case JsonValueKind.Number:
                AppendNumber(builder, value);
                break;
            case JsonValueKind.String:
                AppendString(builder, CeleryJson.GetString(value));
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    first = false;
                    Append(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.Object when KombuTypedValue.TryUnwrap(value, out var tag, out var literal) && tag == PythonJsonText.FloatTypeTag
                                           && literal.ValueKind == JsonValueKind.String && PythonJsonText.TryParseLiteral(literal.GetString(), out var special):
                // A non-finite float (NaN, Infinity): Python's repr.
                AppendFloat(builder, special);
                break;
            case JsonValueKind.Object:
                builder.Append('{');
                var firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    if (!firstProperty)
                    {
                        builder.Append(", ");
                    }

                    firstProperty = false;
                    AppendString(builder, property.Name);
                    builder.Append(": ");
                    Append(builder, property.Value);
                }

                builder.Append('}');
                break;
        }
    }

    private static void AppendNumber(StringBuilder builder, JsonElement value)
    {
        var raw = value.GetRawText();
        if (raw.Contains('e', StringComparison.OrdinalIgnoreCase) || raw.Contains('.', StringComparison.Ordinal))
        {
            // A JSON float is a Python float.
            AppendFloat(builder, value.GetDouble());
        }
        else
        {
            builder.Append(raw);
        }
    }

    // Python's float repr: the shortest digits that round-trip (as .NET's "R"), laid out positionally for
    // decimal exponents -4..15 with '.0' for integral values (1.0, 1000000000000000.0), else as 1e+16, 1e-05.
    // .NET switches to exponent notation at other points, so only its digits are used.
    private static void AppendFloat(StringBuilder builder, double number)
    {
        if (!double.IsFinite(number))
        {
            builder.Append(double.IsNaN(number) ? "nan" : number > 0 ? "inf" : "-inf");
            return;
        }

        if (double.IsNegative(number))
        {
            builder.Append('-');
        }

        var text = Math.Abs(number).ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? text : text[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var point = (dot < 0 ? mantissa.Length : dot) + (e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leadingZeros;
        if (digits.Length == 0)
        {
            builder.Append("0.0");
            return;
        }

        var exponent = point - 1;
        if (exponent is >= -4 and < 16)
        {
            if (point <= 0)
            {
                builder.Append("0.").Append('0', -point).Append(digits);
            }
            else if (point >= digits.Length)
            {
                builder.Append(digits).Append('0', point - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
            }

            return;
        }

        builder.Append(digits[0]);
        if (digits.Length > 1)
        {
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        }

        builder.Append(CultureInfo.InvariantCulture, $"e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}");
    }

    private static void AppendString(StringBuilder builder, string value)
    {
        // Python prefers single quotes, and switches to double quotes when the text has ' but no ".
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate (a Python str may hold one): Python's repr escapes it as \udXXX.
                builder.Append(@"\u").Append(((int)rest[0]).ToString("x4", CultureInfo.InvariantCulture));
                rest = rest[1..];
                continue;
            }

            rest = rest[consumed..];
            switch (rune.Value)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                default:
                    if (rune.Value == quote)
                    {
                        builder.Append('\\').Append(quote);
                    }
                    else if (!IsPrintable(rune))
                    {
                        // As Python's str.__repr__: \xNN, \uNNNN or \UNNNNNNNN, the shortest that fits.
                        var (escape, format) = rune.Value switch { <= 0xff => ('x', "x2"), <= 0xffff => ('u', "x4"), _ => ('U', "x8") };
                        builder.Append('\\').Append(escape).Append(rune.Value.ToString(format, CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    // Python's str.isprintable(): everything but control, format, surrogate, private-use and unassigned
    // characters and separators other than the ASCII space.
    private static bool IsPrintable(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) is not (
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
        or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.SpaceSeparator);
}
