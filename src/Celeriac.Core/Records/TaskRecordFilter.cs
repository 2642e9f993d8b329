namespace Celeriac.Core.Records;

/// <summary>The meaning of <see cref="TaskRecordQuery"/>'s filters, for stores that filter in memory.</summary>
public static class TaskRecordFilter
{
    /// <summary>True when the record matches every filter the query sets.</summary>
    public static bool Matches(TaskRecord record, TaskRecordQuery query)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(query);
        var created = record.Timeline.Created;
        return (query.State is not { } state || record.State == state)
            && (query.Name is null || string.Equals(record.Name, query.Name, StringComparison.Ordinal))
            && (query.Worker is null || string.Equals(record.Worker, query.Worker, StringComparison.Ordinal))
            && (query.From is not { } from || created >= from)
            && (query.To is not { } to || created < to)
            && (query.RevokeRequested is not { } revoked || (record.Revoke is not null) == revoked)
            && (string.IsNullOrEmpty(query.Text) || ContainsText(record, query.Text));
    }

    private static bool ContainsText(TaskRecord record, string text) =>
        record.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (record.Args?.GetRawText().Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (record.Kwargs?.GetRawText().Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || (record.Result?.GetRawText().Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);
}
