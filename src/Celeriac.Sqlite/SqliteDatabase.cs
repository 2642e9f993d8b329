using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>Opening the file and keeping its schema current.</summary>
internal static class SqliteDatabase
{
    /// <summary>The schema this code reads and writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 1;

    /// <summary>The name of the case-insensitive contains function registered on read connections.</summary>
    public const string ContainsFunction = "celeriac_contains";

    // Each step takes the schema from version (index) to version (index + 1). Add steps; never edit one.
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS task_records (
            id            TEXT    NOT NULL PRIMARY KEY,
            state         TEXT    NOT NULL,
            name          TEXT,
            worker        TEXT,
            created_ticks INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            record        TEXT    NOT NULL,
            args          TEXT,
            kwargs        TEXT,
            result        TEXT
        );
        CREATE INDEX IF NOT EXISTS task_records_by_created ON task_records (created_ticks, id);
        CREATE INDEX IF NOT EXISTS task_records_by_state ON task_records (state, created_ticks, id);
        CREATE INDEX IF NOT EXISTS task_records_by_name ON task_records (name, created_ticks, id);
        CREATE INDEX IF NOT EXISTS task_records_by_worker ON task_records (worker, created_ticks, id);
        """,
    ];

    /// <summary>Opens a connection with the store's settings.</summary>
    /// <remarks>
    /// <c>synchronous = FULL</c>: every commit is flushed to disk before it returns, so a change a caller
    /// was told about survives a power loss, not only a crash of the process (NORMAL, the usual WAL choice,
    /// may lose the last commits on power loss). A worker acknowledges its broker message after the outcome
    /// is stored; losing that outcome would lose the task. The flush costs ~0.3 ms here, and batching shares
    /// it among every change in the batch.
    /// <para>
    /// No <c>busy_timeout</c>: the bundled e_sqlite3 is built without <c>usleep</c>, so SQLite's busy handler
    /// sleeps in whole seconds (measured: a lock released after 50 ms is noticed after 1,009 ms). The writer
    /// waits for the write lock itself (<see cref="BeginImmediate"/>); the rare busy read (WAL recovery)
    /// is retried by Microsoft.Data.Sqlite every 150 ms up to the busy timeout.
    /// </para>
    /// </remarks>
    public static SqliteConnection Open(string path, TimeSpan busyTimeout, bool reader)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The store keeps its own connections open; closing one must really close the file.
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement until this many seconds have passed.
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA synchronous = FULL;");
            if (reader)
            {
                Execute(connection, "PRAGMA query_only = 1;");
                connection.CreateFunction<string?, string, bool>(ContainsFunction,
                    (text, part) => text is not null && text.Contains(part, StringComparison.OrdinalIgnoreCase), isDeterministic: true);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the file's write lock (<c>BEGIN IMMEDIATE</c>), trying again every millisecond or so (backing off to
    /// 10 ms) while another connection or process holds it, for up to <paramref name="timeout"/>.
    /// </summary>
    public static async ValueTask BeginImmediateAsync(SqliteConnection connection, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var attempt = 0; !TryBeginImmediate(connection, time.GetElapsedTime(started) >= timeout); attempt++)
        {
            await Task.Delay(BusyDelay(attempt), time, cancellationToken);
        }
    }

    /// <summary>The blocking <see cref="BeginImmediateAsync"/>, for opening the file.</summary>
    public static void BeginImmediate(SqliteConnection connection, TimeSpan timeout, TimeProvider time)
    {
        var started = time.GetTimestamp();
        for (var attempt = 0; !TryBeginImmediate(connection, time.GetElapsedTime(started) >= timeout); attempt++)
        {
            Thread.Sleep(BusyDelay(attempt));
        }
    }

    // True when the transaction began; false when the lock is held elsewhere; throws on any other error, or when busy and out of time.
    private static bool TryBeginImmediate(SqliteConnection connection, bool outOfTime)
    {
        var rc = SQLitePCL.raw.sqlite3_exec(connection.Handle, "BEGIN IMMEDIATE;");
        if (rc == SQLitePCL.raw.SQLITE_OK)
        {
            return true;
        }

        if ((rc & 0xFF) != SQLitePCL.raw.SQLITE_BUSY || outOfTime)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }

        return false;
    }

    private static TimeSpan BusyDelay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(1 << Math.Min(attempt / 4, 4), 10));

    /// <summary>
    /// Switches the file to WAL (readers never block the writer, and the reverse) and creates or upgrades the
    /// schema. Idempotent, and safe when several processes start at once: the upgrade runs under the write lock
    /// and re-reads the version there.
    /// </summary>
    /// <returns>The version found and the version now.</returns>
    public static (int From, int To) Prepare(SqliteConnection connection, TimeSpan busyTimeout, TimeProvider time)
    {
        var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL;"), CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode (it reports '{mode}'); is the file on a network file system?");
        }

        var found = UserVersion(connection);
        if (found == SchemaVersion)
        {
            return (found, found);
        }

        BeginImmediate(connection, busyTimeout, time);
        try
        {
            found = UserVersion(connection);
            if (found > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The task record file was written by a newer Celeriac (schema version {found}); this one knows up to version {SchemaVersion}.");
            }

            for (var version = found; version < SchemaVersion; version++)
            {
                Execute(connection, s_migrations[version]);
            }

            Execute(connection, $"PRAGMA user_version = {SchemaVersion.ToString(CultureInfo.InvariantCulture)}; COMMIT;");
            return (found, SchemaVersion);
        }
        catch
        {
            if (!connection.IsAutocommit())
            {
                Execute(connection, "ROLLBACK;");
            }

            throw;
        }
    }

    /// <summary>True when no transaction is open on the connection.</summary>
    public static bool IsAutocommit(this SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;

    private static int UserVersion(SqliteConnection connection) =>
        Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
