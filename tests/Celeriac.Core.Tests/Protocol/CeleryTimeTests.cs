using System.Globalization;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Tests.Protocol;

public sealed class CeleryTimeTests
{
    [Theory]
    [InlineData("2026-03-01T12:00:10.1234567+00:00", "2026-03-01T12:00:10.123456+00:00")]
    [InlineData("2026-03-01T14:00:10+02:00", "2026-03-01T12:00:10.000000+00:00")]
    public void Format_AnyOffset_IsUtcWithMicrosecondsAndPlusZero(string value, string expected)
    {
        Assert.Equal(expected, CeleryTime.Format(DateTimeOffset.Parse(value, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("not a time")]
    public void Parse_NothingOrGarbage_IsNull(string? value)
    {
        Assert.Null(CeleryTime.Parse(value));
    }

    [Fact]
    public void Parse_Format_RoundTripsToTheMicrosecond()
    {
        var time = new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero).AddTicks(1234560);

        Assert.Equal(time, CeleryTime.Parse(CeleryTime.Format(time)));
    }

    [Fact]
    public void ToUnixSeconds_FromUnixSeconds_RoundTripWithinAMicrosecond()
    {
        // A double holds a 2026 Unix time to about 0.24 microseconds, as Python's time.time() does.
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_795_238_583_156);

        Assert.Equal(1_795_238_583.156, CeleryTime.ToUnixSeconds(time), precision: 6);
        var back = CeleryTime.FromUnixSeconds(CeleryTime.ToUnixSeconds(time));
        Assert.InRange((back - time).Duration(), TimeSpan.Zero, TimeSpan.FromMicroseconds(1));
    }
}
