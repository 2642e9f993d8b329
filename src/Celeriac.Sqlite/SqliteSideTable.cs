using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// A table set of its own in the record store's SQLite file (the chord counts, the beat lease): one write connection,
/// opened on first use in WAL mode with its tables created there (<c>IF NOT EXISTS</c>, independent of the records
/// schema version), and every change one <c>BEGIN IMMEDIATE</c> transaction, one at a time in this process and under the
/// file's write lock across processes.
/// </summary>
internal sealed class SqliteSideTable(SqliteTaskStoreOptions options, TimeProvider time, string schema) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    /// <summary>Runs <paramref name="work"/> in one write transaction: committed when it returns, rolled back when it throws.</summary>
    public async ValueTask<T> InTransactionAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = _connection ??= Open();
            await SqliteDatabase.BeginImmediateAsync(connection, options.BusyTimeout, time, cancellationToken);
            try
            {
                var result = work(connection);
                Execute(connection, "COMMIT;");
                return result;
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
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs one statement; returns the rows it changed.</summary>
    public static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>A statement with its parameters bound (integers as SQLite's 64-bit integers).</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value is long or int ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : value);
        }

        return command;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    private SqliteConnection Open()
    {
        var path = options.ResolveFilePath();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = SqliteDatabase.Open(path, options.BusyTimeout, reader: false);
        try
        {
            using (var wal = Command(connection, "PRAGMA journal_mode = WAL;"))
            {
                wal.ExecuteScalar();
            }

            Execute(connection, schema);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
