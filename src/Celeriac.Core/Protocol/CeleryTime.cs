using System.Globalization;

namespace Celeriac.Core.Protocol;

/// <summary>ISO 8601 times as Celery writes and reads them.</summary>
public static class CeleryTime
{
    private static readonly string[] s_formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    /// <summary>
    /// Formats as Python's <c>isoformat()</c> of an aware datetime: microseconds, and <c>+00:00</c> rather
    /// than <c>Z</c>, which older Python versions cannot parse.
    /// </summary>
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Parses an ISO 8601 time; a value without an offset is UTC, as Celery treats it.</summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(value.Trim(), s_formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var result)
            ? result
            : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out result)
                ? result
                : null;
    }

    /// <summary>Seconds since the Unix epoch with sub-second precision, as Python's <c>time.time()</c>.</summary>
    public static double ToUnixSeconds(DateTimeOffset value) => (value - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    /// <summary>The inverse of <see cref="ToUnixSeconds"/>.</summary>
    public static DateTimeOffset FromUnixSeconds(double seconds) => DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
}
