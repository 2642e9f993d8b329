using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;

namespace Celeriac.Core.Tests.Protocol;

public sealed class HeaderValuesTests
{
    [Theory]
    [InlineData(0L, "I")]
    [InlineData(2_147_483_647L, "I")]
    [InlineData(-2_147_483_648L, "I")]
    [InlineData(2_147_483_648L, "l")]
    public void FromInteger_Value_IsAnIntWhenItFits(long value, string wireType)
    {
        Assert.Equal(wireType, AmqpWireTypes.Of(HeaderValues.FromInteger(value)));
    }

    [Theory]
    [MemberData(nameof(Integers))]
    public void AsInteger_AnyIntegralRepresentation_ReadsTheNumber(object? value, long? expected)
    {
        Assert.Equal(expected, HeaderValues.AsInteger(value, "retries"));
    }

    public static TheoryData<object?, long?> Integers => new()
    {
        { null, null }, { 3, 3 }, { 3L, 3 }, { (short)3, 3 }, { (byte)3, 3 }, { 3.0, 3 }, { "3", 3 },
    };

    [Theory]
    [InlineData(3.5)]
    [InlineData("three")]
    [InlineData(true)]
    public void AsInteger_NotAnInteger_IsADecodeErrorNamingTheHeader(object value)
    {
        var error = Assert.Throws<MessageDecodeException>(() => HeaderValues.AsInteger(value, "retries"));

        Assert.Contains("'retries'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(1, true)]
    [InlineData(0L, false)]
    [InlineData("True", true)]
    [InlineData(null, false)]
    public void GetBoolean_Representations_ReadAsPythonTruthiness(object? value, bool expected)
    {
        Assert.Equal(expected, HeaderValues.GetBoolean(new Dictionary<string, object?> { ["ignore_result"] = value }, "ignore_result"));
    }

    [Fact]
    public void GetString_Bytes_AreReadAsUtf8Text()
    {
        Assert.Equal("héllo", HeaderValues.GetString(new Dictionary<string, object?> { ["id"] = "héllo"u8.ToArray() }, "id"));
    }
}
