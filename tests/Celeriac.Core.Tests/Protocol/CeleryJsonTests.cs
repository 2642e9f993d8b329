using System.Buffers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>What Python's json (so Celery's) reads and writes that standard JSON does not, through <see cref="CeleryJson"/>.</summary>
public sealed class CeleryJsonTests
{
    [Fact]
    public void Parse_BareNonFiniteLiterals_WrittenBackExactly()
    {
        const string python = "[NaN, Infinity, -Infinity, -1, {\"x\": [NaN]}, \"NaN in a string\", \"\\\"Infinity\\\"\"]";

        using var document = CeleryJson.Parse(Encoding.UTF8.GetBytes(python));

        Assert.Equal("[NaN,Infinity,-Infinity,-1,{\"x\":[NaN]},\"NaN in a string\",\"\\\"Infinity\\\"\"]",
            Compact(document.RootElement));
        Assert.Equal("\"NaN in a string\"", document.RootElement[5].GetRawText());
    }

    [Fact]
    public void Parse_NotJsonAtAll_StillThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => CeleryJson.Parse("[NaN, nope]"u8.ToArray()));
    }

    [Fact]
    public void Parse_NestedToMaxDepth_ReadsAndDeeperThrows()
    {
        using var deepest = CeleryJson.Parse(Encoding.ASCII.GetBytes(Nested(CeleryJson.MaxDepth)));
        Assert.Equal(JsonValueKind.Array, deepest.RootElement.ValueKind);

        Assert.ThrowsAny<JsonException>(() => CeleryJson.Parse(Encoding.ASCII.GetBytes(Nested(CeleryJson.MaxDepth + 1))));
    }

    [Fact]
    public void WriteValue_LoneSurrogateEscapes_KeptVerbatim()
    {
        using var document = CeleryJson.Parse("[\"\\ud800\", \"a\\udc00b\", \"\\ud83d\\ude00\"]"u8.ToArray());

        Assert.Equal("[\"\\ud800\",\"a\\udc00b\",\"\\ud83d\\ude00\"]", Compact(document.RootElement).Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal("\ud800", CeleryJson.GetString(document.RootElement[0]));
        Assert.Equal("a\udc00b", CeleryJson.GetString(document.RootElement[1]));
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("Infinity", double.PositiveInfinity)]
    [InlineData("-Infinity", double.NegativeInfinity)]
    [InlineData("2.5", 2.5)]
    public void Deserialize_PythonFloat_BindsToDouble(string python, double expected)
    {
        using var document = CeleryJson.Parse(Encoding.ASCII.GetBytes($"[{python}]"));

        Assert.Equal(expected, document.RootElement[0].Deserialize<double>(CeleryJson.Options));
        Assert.Equal((float)expected, document.RootElement[0].Deserialize<float>(CeleryJson.Options));
    }

    [Fact]
    public void ToElement_NonFiniteDouble_GoesOutAsTheBareLiteral()
    {
        var element = CeleryJson.ToElement(new[] { double.NaN, double.NegativeInfinity, 1.5 });

        Assert.Equal("[NaN,-Infinity,1.5]", Compact(element));
        Assert.Equal("[nan, -inf, 1.5]", PythonRepr.Format(element));
    }

    [Fact]
    public void BigInteger_BeyondInt64_RoundTripsExactly()
    {
        using var document = CeleryJson.Parse("[1180591620717411303424]"u8.ToArray());

        var value = document.RootElement[0].Deserialize<BigInteger>(CeleryJson.Options);

        Assert.Equal(BigInteger.Pow(2, 70), value);
        Assert.Equal("1180591620718411303425", CeleryJson.ToElement(value + 1_000_000_001).GetRawText());
    }

    [Fact]
    public void String_WithLoneSurrogate_BindsAndGoesOutEscaped()
    {
        using var document = CeleryJson.Parse("[\"x\\ud800\"]"u8.ToArray());

        var bound = document.RootElement[0].Deserialize<string>(CeleryJson.Options);
        var back = CeleryJson.ToElement(new[] { bound });

        Assert.Equal("x\ud800", bound);
        Assert.Equal("[\"x\\ud800\"]", Compact(back));
        Assert.Equal("['x\\ud800']", PythonRepr.Format(back));
    }

    [Fact]
    public void ToElement_ElementWithLoneSurrogate_Serializes()
    {
        using var document = CeleryJson.Parse("[\"\\udfff\"]"u8.ToArray());

        var wrapped = CeleryJson.ToElement(new Dictionary<string, JsonElement> { ["args"] = document.RootElement });

        Assert.Equal("{\"args\":[\"\\udfff\"]}", Compact(wrapped));
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            CeleryJson.WriteValue(writer, element);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan).Replace(", ", ",", StringComparison.Ordinal).Replace(": ", ":", StringComparison.Ordinal);
    }
}
