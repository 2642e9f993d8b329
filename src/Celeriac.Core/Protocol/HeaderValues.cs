using System.Globalization;
using System.Text;

namespace Celeriac.Core.Protocol;

/// <summary>Typed reads of header values in the neutral model of <see cref="Transport.TransportMessage"/>.</summary>
internal static class HeaderValues
{
    public static bool TryGet(IReadOnlyDictionary<string, object?> headers, string key, out object? value) =>
        headers.TryGetValue(key, out value);

    public static string? GetString(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value) ? AsString(value, key) : null;

    public static string? AsString(object? value, string key) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new MessageDecodeException($"Header '{key}' must be a string, not {value.GetType().Name}."),
    };

    /// <summary>
    /// An integer header value as Python sends it: an int (AMQP <c>I</c>) when it fits in 32 bits, else a long.
    /// py-amqp writes every int that fits as <c>I</c>; a long would go out as <c>l</c>, which Celery never sends.
    /// </summary>
    public static object FromInteger(long value) => value is >= int.MinValue and <= int.MaxValue ? (object)(int)value : value;

    public static long? GetInteger(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value) ? AsInteger(value, key) : null;

    public static long? AsInteger(object? value, string key) => value switch
    {
        null => null,
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        uint ui => ui,
        ushort us => us,
        double d when Math.Abs(d % 1) < double.Epsilon => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new MessageDecodeException($"Header '{key}' must be an integer, not {value}."),
    };

    public static double? AsDouble(object? value, string key) => value switch
    {
        null => null,
        double d => d,
        float f => f,
        decimal m => (double)m,
        int i => i,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new MessageDecodeException($"Header '{key}' must be a number, not {value}."),
    };

    public static bool GetBoolean(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value) && value switch
        {
            null => false,
            bool b => b,
            int i => i != 0,
            long l => l != 0,
            string s => bool.TryParse(s, out var parsed) && parsed,
            _ => throw new MessageDecodeException($"Header '{key}' must be a boolean, not {value}."),
        };

    public static DateTimeOffset? GetTime(IReadOnlyDictionary<string, object?> headers, string key) =>
        headers.TryGetValue(key, out var value) ? value switch
        {
            null => null,
            DateTimeOffset t => t,
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            _ => CeleryTime.Parse(AsString(value, key)) ?? throw new MessageDecodeException($"Header '{key}' is not an ISO 8601 time: '{value}'."),
        } : null;
}
