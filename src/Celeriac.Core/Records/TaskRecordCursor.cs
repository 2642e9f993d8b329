using System.Globalization;
using System.Text;

namespace Celeriac.Core.Records;

/// <summary>
/// A position in the newest-first order of records: (creation time, id). Opaque to callers; stores use
/// it to continue a listing where the last page ended, stable while new tasks keep arriving.
/// </summary>
/// <param name="CreatedTicks">The creation time of the last record returned (UTC ticks).</param>
/// <param name="Id">Its id, to break ties.</param>
public sealed record TaskRecordCursor(long CreatedTicks, string Id)
{
    /// <summary>The cursor after a record.</summary>
    public static TaskRecordCursor After(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new((record.Timeline.Created ?? DateTimeOffset.MinValue).UtcTicks, record.Id);
    }

    /// <summary>Reads a cursor; throws <see cref="FormatException"/> for one no store wrote.</summary>
    public static TaskRecordCursor Parse(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (cursor.Length % 4)) % 4)));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return new TaskRecordCursor(long.Parse(text.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture), text[(colon + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new FormatException($"'{cursor}' is not a cursor from a previous page.", ex);
        }
    }

    /// <summary>True when <paramref name="record"/> comes after this position in newest-first order.</summary>
    public bool IsBefore(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var ticks = (record.Timeline.Created ?? DateTimeOffset.MinValue).UtcTicks;
        return ticks < CreatedTicks || (ticks == CreatedTicks && string.CompareOrdinal(record.Id, Id) < 0);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{CreatedTicks}:{Id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
