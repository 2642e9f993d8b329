using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite;

/// <summary>
/// Chord counts in the record store's SQLite file, shared by every worker using it. Each count is one
/// <c>BEGIN IMMEDIATE</c> transaction (the file's write lock): the part is inserted unless its id is there already,
/// the count is read, and the completing part is written down, all under the lock, so two workers finishing the
/// last two parts at once never both send the body and a redelivered part never counts twice.
/// </summary>
/// <remarks>
/// Its tables are created on first use (<c>IF NOT EXISTS</c>), like the beat lease's: a seam of its own, independent
/// of the records schema version.
/// </remarks>
internal sealed class SqliteChordCounter : IChordCounter, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS chords (group_id TEXT PRIMARY KEY, size INTEGER NOT NULL, completer TEXT, body_sent INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS chord_parts (group_id TEXT NOT NULL, task_id TEXT NOT NULL, group_index INTEGER NOT NULL,
            value TEXT NOT NULL, error TEXT, PRIMARY KEY (group_id, task_id));
        """;

    private readonly SqliteSideTable _table;

    public SqliteChordCounter(IOptions<SqliteTaskStoreOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _table = new SqliteSideTable(options.Value, time, Schema);
    }

    public ValueTask<ChordTally> CountPartAsync(ChordPart part, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        return _table.InTransactionAsync(connection =>
        {
            SqliteSideTable.Execute(connection, "INSERT INTO chords (group_id, size) VALUES ($group, $size) ON CONFLICT (group_id) DO NOTHING;",
                ("$group", part.GroupId), ("$size", part.Size));
            var added = SqliteSideTable.Execute(connection, """
                INSERT INTO chord_parts (group_id, task_id, group_index, value, error) VALUES ($group, $task, $index, $value, $error)
                ON CONFLICT (group_id, task_id) DO NOTHING;
                """, ("$group", part.GroupId), ("$task", part.TaskId), ("$index", part.Index), ("$value", part.Value.GetRawText()),
                ("$error", (object?)part.Error ?? DBNull.Value)) == 1;

            using var read = SqliteSideTable.Command(connection, """
                SELECT c.size, c.completer, c.body_sent, (SELECT COUNT(*) FROM chord_parts p WHERE p.group_id = c.group_id)
                FROM chords c WHERE c.group_id = $group;
                """, ("$group", part.GroupId));
            using var reader = read.ExecuteReader();
            reader.Read();
            var (size, completer, bodySent, finished) = (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2) != 0, reader.GetInt32(3));
            reader.Close();
            if (added && completer is null && finished >= size)
            {
                // Only the insert that completed the count gets here: the row is written under the same lock.
                SqliteSideTable.Execute(connection, "UPDATE chords SET completer = $task WHERE group_id = $group AND completer IS NULL;", ("$group", part.GroupId), ("$task", part.TaskId));
                completer = part.TaskId;
            }

            var sendBody = !bodySent && completer == part.TaskId;
            return new ChordTally(finished, size, sendBody, sendBody ? ReadParts(connection, part.GroupId) : []);
        }, cancellationToken);
    }

    public async ValueTask MarkBodySentAsync(string groupId, CancellationToken cancellationToken) =>
        await _table.InTransactionAsync(connection => SqliteSideTable.Execute(connection, "UPDATE chords SET body_sent = 1 WHERE group_id = $group;", ("$group", groupId)), cancellationToken);

    public void Dispose() => _table.Dispose();

    private static ChordPart[] ReadParts(SqliteConnection connection, string groupId)
    {
        using var command = SqliteSideTable.Command(connection, """
            SELECT task_id, group_index, value, error, (SELECT size FROM chords WHERE group_id = $group)
            FROM chord_parts WHERE group_id = $group ORDER BY group_index, task_id;
            """, ("$group", groupId));
        using var reader = command.ExecuteReader();
        var parts = new List<ChordPart>();
        while (reader.Read())
        {
            using var value = JsonDocument.Parse(reader.GetString(2), CeleryJson.DocumentOptions);
            parts.Add(new ChordPart(groupId, reader.GetInt32(4), reader.GetString(0), reader.GetInt32(1), value.RootElement.Clone(),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return [.. parts];
    }
}
