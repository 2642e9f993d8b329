using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Tests.Protocol;

/// <summary>kombu's <c>{"__type__", "__value__"}</c> wrappers read into .NET types through <see cref="CeleryJson.Options"/>.</summary>
public sealed class KombuTypedValueTests
{
    [Theory]
    [InlineData("""{"__type__": "datetime", "__value__": "2026-03-01T14:00:10.5+02:00"}""")]
    [InlineData("""{"__type__": "datetime", "__value__": "2026-03-01T12:00:10.5"}""")]
    [InlineData("\"2026-03-01T12:00:10.500000Z\"")]
    public void Read_Datetime_IsUtcDateTime(string json)
    {
        var value = JsonSerializer.Deserialize<DateTime>(json, CeleryJson.Options);

        Assert.Equal(new DateTime(2026, 3, 1, 12, 0, 10, 500, DateTimeKind.Utc), value);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
    }

    [Theory]
    [InlineData("""{"__type__": "uuid", "__value__": {"hex": "0123456789abcdef0123456789abcdef"}}""")]
    [InlineData("""{"__type__": "uuid", "__value__": "01234567-89ab-cdef-0123-456789abcdef"}""")]
    [InlineData("\"01234567-89ab-cdef-0123-456789abcdef\"")]
    public void Read_Uuid_IsGuid(string json)
    {
        Assert.Equal(Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), JsonSerializer.Deserialize<Guid>(json, CeleryJson.Options));
    }

    [Theory]
    [InlineData("""{"__type__": "decimal", "__value__": "12.3400"}""")]
    [InlineData("\"12.3400\"")]
    [InlineData("12.3400")]
    public void Read_Decimal_KeepsEveryDigit(string json)
    {
        var value = JsonSerializer.Deserialize<decimal>(json, CeleryJson.Options);

        Assert.Equal(12.34m, value);
        Assert.Equal("12.3400", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("""{"__type__": "bytes", "__value__": "héllo"}""", new byte[] { 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f })]
    [InlineData("""{"__type__": "base64", "__value__": "/wA="}""", new byte[] { 0xff, 0x00 })]
    [InlineData("\"/wA=\"", new byte[] { 0xff, 0x00 })]
    public void Read_BytesAndBase64_AreByteArrays(string json, byte[] expected)
    {
        Assert.Equal(expected, JsonSerializer.Deserialize<byte[]>(json, CeleryJson.Options));
    }

    [Fact]
    public void Read_DateAndTime_AreDateOnlyAndTimeOnly()
    {
        Assert.Equal(new DateOnly(2026, 3, 1), JsonSerializer.Deserialize<DateOnly>("""{"__type__": "date", "__value__": "2026-03-01"}""", CeleryJson.Options));
        Assert.Equal(new TimeOnly(12, 0, 10, 250), JsonSerializer.Deserialize<TimeOnly>("""{"__type__": "time", "__value__": "12:00:10.250000"}""", CeleryJson.Options));
    }

    [Fact]
    public void Read_ObjectThatIsNotAWrapper_IsAJsonError()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Guid>("""{"hex": "0123"}""", CeleryJson.Options));
    }

    [Fact]
    public void Write_Values_ArePlainJsonEveryKombuReads()
    {
        var json = JsonSerializer.Serialize(new object[]
        {
            new DateTimeOffset(2026, 3, 1, 14, 0, 10, TimeSpan.FromHours(2)), Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"), 1.50m, new byte[] { 1, 2 },
        }, CeleryJson.Options);

        Assert.Equal("""["2026-03-01T12:00:10.000000+00:00","01234567-89ab-cdef-0123-456789abcdef",1.50,"AQI="]""", json);
    }
}
