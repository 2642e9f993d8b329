using Celeriac.Core.Protocol;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>The expected values are what CPython 3's <c>repr()</c> prints for the same value.</summary>
public sealed class PythonReprTests
{
    [Theory]
    [InlineData("null", "None")]
    [InlineData("true", "True")]
    [InlineData("false", "False")]
    [InlineData("0", "0")]
    [InlineData("-42", "-42")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    [InlineData("1.0", "1.0")]
    [InlineData("-0.0", "-0.0")]
    [InlineData("1.5", "1.5")]
    [InlineData("0.1", "0.1")]
    [InlineData("3.14", "3.14")]
    [InlineData("1e16", "1e+16")]
    [InlineData("1E+16", "1e+16")]
    [InlineData("10000000000000000.0", "1e+16")]
    [InlineData("1e15", "1000000000000000.0")]
    [InlineData("123456789012345.6", "123456789012345.6")]
    [InlineData("1e22", "1e+22")]
    [InlineData("1.5e300", "1.5e+300")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("2.5e-5", "2.5e-05")]
    [InlineData("1.23e-7", "1.23e-07")]
    [InlineData("4.009638107000001", "4.009638107000001")]
    [InlineData("100.0", "100.0")]
    [InlineData("-123.456", "-123.456")]
    [InlineData("9999999999999998.0", "9999999999999998.0")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    public void Format_Scalars_MatchPython(string json, string expected)
    {
        Assert.Equal(expected, PythonRepr.Format(Json(json)));
    }

    [Theory]
    [InlineData("hello", "'hello'")]
    [InlineData("", "''")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("say \"hi\"", "'say \"hi\"'")]
    [InlineData("a'b\"c", "'a\\'b\"c'")]
    [InlineData("line1\nline2", "'line1\\nline2'")]
    [InlineData("tab\there\r", "'tab\\there\\r'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("héllo wörld", "'héllo wörld'")]
    [InlineData("日本語", "'日本語'")]
    [InlineData("😀", "'😀'")]
    [InlineData("\u0000\u001b\u007f", "'\\x00\\x1b\\x7f'")]
    [InlineData("\u0085", "'\\x85'")]
    [InlineData("no\u00a0break", "'no\\xa0break'")]
    [InlineData("zero\u200bwidth", "'zero\\u200bwidth'")]
    [InlineData("line\u2028sep", "'line\\u2028sep'")]
    public void FormatString_QuotesAndEscapes_MatchPython(string value, string expected)
    {
        Assert.Equal(expected, PythonRepr.FormatString(value));
        Assert.Equal(expected, PythonRepr.Format(CeleryJson.ToElement(value)));
    }

    [Theory]
    [InlineData("[]", "[]")]
    [InlineData("{}", "{}")]
    [InlineData("[1, [2, {\"k\": null}]]", "[1, [2, {'k': None}]]")]
    [InlineData("{\"a\": 1, \"b\": [true, false], \"c\": {\"d\": \"e\"}}", "{'a': 1, 'b': [True, False], 'c': {'d': 'e'}}")]
    [InlineData("{\"it's\": 1.0}", "{\"it's\": 1.0}")]
    public void Format_Containers_MatchPython(string json, string expected)
    {
        Assert.Equal(expected, PythonRepr.Format(Json(json)));
    }

    [Theory]
    [InlineData("[]", "()")]
    [InlineData("[7]", "(7,)")]
    [InlineData("[2, 3]", "(2, 3)")]
    [InlineData("[[1]]", "([1],)")]
    [InlineData("[\"a\", null, 1.5]", "('a', None, 1.5)")]
    public void FormatTuple_Args_MatchPython(string json, string expected)
    {
        Assert.Equal(expected, PythonRepr.FormatTuple(Json(json)));
    }

    [Theory]
    [InlineData("ValueError", "[\"boom 7\"]", "ValueError('boom 7')")]
    [InlineData("ValueError", "[]", "ValueError()")]
    [InlineData("KeyError", "[\"a\", 1]", "KeyError('a', 1)")]
    [InlineData("NotRegistered", "[\"tasks.nope\"]", "NotRegistered('tasks.nope')")]
    public void FormatException_Args_MatchPython(string type, string args, string expected)
    {
        Assert.Equal(expected, PythonRepr.FormatException(type, Json(args)));
    }

    [Fact]
    public void Format_LongerThanMaxLength_IsCutTo1024WithEllipsis()
    {
        var repr = PythonRepr.Format(CeleryJson.ToElement(new string('a', 2000)));

        Assert.Equal(PythonRepr.MaxLength, repr.Length);
        Assert.StartsWith("'aaaa", repr, StringComparison.Ordinal);
        Assert.EndsWith("a...", repr, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ExactlyMaxLength_IsNotCut()
    {
        var value = new string('a', PythonRepr.MaxLength - 2);

        Assert.Equal($"'{value}'", PythonRepr.Format(CeleryJson.ToElement(value)));
    }

    [Fact]
    public void FormatTuple_CustomMaxLength_IsHonoured()
    {
        Assert.Equal("(1, 2,...", PythonRepr.FormatTuple(Json("[1, 2, 3, 4, 5]"), maxLength: 9));
    }
}
