using System.Text;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// The SQL for <see cref="TaskRecordQuery"/>: the same meaning as <see cref="TaskRecordFilter"/>, served by the
/// indexes on (state | name | worker, created_ticks, id).
/// </summary>
/// <remarks>
/// Ids compare as UTF-8 bytes here and as UTF-16 code units in <see cref="TaskRecordCursor"/>; the two orders agree
/// for every id without characters above U+D7FF (task ids are UUIDs).
/// </remarks>
internal static class TaskRecordSql
{
    /// <summary>A command that selects the matching records after <paramref name="cursor"/>, newest first.</summary>
    public static SqliteCommand Query(SqliteConnection connection, TaskRecordQuery query, TaskRecordCursor? cursor, int limit)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT record, args, kwargs, result FROM task_records WHERE 1 = 1");
        if (query.State is { } state)
        {
            sql.Append(" AND state = $state");
            command.Parameters.AddWithValue("$state", state.ToWireName());
        }

        if (query.Name is { } name)
        {
            sql.Append(" AND name = $name");
            command.Parameters.AddWithValue("$name", name);
        }

        if (query.Worker is { } worker)
        {
            sql.Append(" AND worker = $worker");
            command.Parameters.AddWithValue("$worker", worker);
        }

        if (query.From is { } from)
        {
            sql.Append(" AND created_ticks >= $from");
            command.Parameters.AddWithValue("$from", from.UtcTicks);
        }

        if (query.To is { } to)
        {
            sql.Append(" AND created_ticks < $to");
            command.Parameters.AddWithValue("$to", to.UtcTicks);
        }

        if (query.RevokeRequested is { } revoked)
        {
            // The record's JSON leaves out null members: a revoke request is present exactly when it was made.
            sql.Append(revoked ? " AND json_extract(record, '$.revoke') IS NOT NULL" : " AND json_extract(record, '$.revoke') IS NULL");
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            // Case-insensitive contains with .NET's OrdinalIgnoreCase, as TaskRecordFilter defines it (SQLite's
            // LIKE folds ASCII only), over the exact raw JSON text the record's values have.
            const string Contains = SqliteDatabase.ContainsFunction;
            sql.Append($" AND ({Contains}(id, $text) OR {Contains}(args, $text) OR {Contains}(kwargs, $text) OR {Contains}(result, $text))");
            command.Parameters.AddWithValue("$text", query.Text);
        }

        if (cursor is not null)
        {
            sql.Append(" AND (created_ticks, id) < ($cursorTicks, $cursorId)");
            command.Parameters.AddWithValue("$cursorTicks", cursor.CreatedTicks);
            command.Parameters.AddWithValue("$cursorId", cursor.Id);
        }

        sql.Append(" ORDER BY created_ticks DESC, id DESC LIMIT $limit;");
        command.Parameters.AddWithValue("$limit", limit);
        command.CommandText = sql.ToString();
        return command;
    }
}
