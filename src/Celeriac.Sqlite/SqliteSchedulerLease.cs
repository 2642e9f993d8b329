using System.Globalization;
using Celeriac.Core.Beat;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite;

/// <summary>
/// The beat lease and the ticks sent, in the record store's SQLite file, shared by every beat process on the machine.
/// Each change is one <c>BEGIN IMMEDIATE</c> transaction (the file's write lock) whose statements check the current
/// row before they change it: compare-and-set across processes.
/// </summary>
/// <remarks>
/// Its two tables are created on first use (<c>IF NOT EXISTS</c>) rather than by the record store's schema versions:
/// the lease is a seam of its own, and a file whose records schema is older or newer still holds a lease.
/// </remarks>
internal sealed class SqliteSchedulerLease : ISchedulerLease, IDisposable
{
    private const string LeaseName = "beat";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS beat_lease (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS beat_ticks (entry TEXT PRIMARY KEY, last_tick INTEGER NOT NULL, owner TEXT NOT NULL);
        """;

    private readonly SqliteTaskStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    public SqliteSchedulerLease(IOptions<SqliteTaskStoreOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    public ValueTask<bool> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        InTransactionAsync(connection =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Taken when free, expired, or already ours; otherwise the row is left as it is.
            using var command = Command(connection, """
                INSERT INTO beat_lease (name, owner, expires_at) VALUES ($name, $owner, $expires)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE beat_lease.owner = excluded.owner OR beat_lease.expires_at <= $now;
                """, ("$name", LeaseName), ("$owner", owner), ("$expires", now + (long)duration.TotalMilliseconds), ("$now", now));
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public async ValueTask ReleaseAsync(string owner, CancellationToken cancellationToken) =>
        await InTransactionAsync(connection =>
        {
            using var command = Command(connection, "DELETE FROM beat_lease WHERE name = $name AND owner = $owner;", ("$name", LeaseName), ("$owner", owner));
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public async ValueTask<DateTimeOffset?> GetLastTickAsync(string entry, CancellationToken cancellationToken)
    {
        var value = await InTransactionAsync(connection =>
        {
            using var command = Command(connection, "SELECT last_tick FROM beat_ticks WHERE entry = $entry;", ("$entry", entry));
            return command.ExecuteScalar();
        }, cancellationToken);
        return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public ValueTask<bool> TryClaimTickAsync(string owner, string entry, DateTimeOffset tick, CancellationToken cancellationToken) =>
        InTransactionAsync(connection =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Both checks under the one write lock: the claimer holds an unexpired lease, and no one claimed this tick or a later one.
            using var check = Command(connection, "SELECT 1 FROM beat_lease WHERE name = $name AND owner = $owner AND expires_at > $now;",
                ("$name", LeaseName), ("$owner", owner), ("$now", now));
            if (check.ExecuteScalar() is null)
            {
                return false;
            }

            using var claim = Command(connection, """
                INSERT INTO beat_ticks (entry, last_tick, owner) VALUES ($entry, $tick, $owner)
                ON CONFLICT (entry) DO UPDATE SET last_tick = excluded.last_tick, owner = excluded.owner
                WHERE beat_ticks.last_tick < excluded.last_tick;
                """, ("$entry", entry), ("$tick", tick.ToUnixTimeMilliseconds()), ("$owner", owner));
            return claim.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    private async ValueTask<T> InTransactionAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var connection = _connection ??= OpenConnection();
            await SqliteDatabase.BeginImmediateAsync(connection, _options.BusyTimeout, _time, cancellationToken);
            try
            {
                var result = work(connection);
                using var commit = Command(connection, "COMMIT;");
                commit.ExecuteNonQuery();
                return result;
            }
            catch
            {
                if (!connection.IsAutocommit())
                {
                    using var rollback = Command(connection, "ROLLBACK;");
                    rollback.ExecuteNonQuery();
                }

                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteConnection OpenConnection()
    {
        var path = _options.ResolveFilePath();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = SqliteDatabase.Open(path, _options.BusyTimeout, reader: false);
        try
        {
            using (var wal = Command(connection, "PRAGMA journal_mode = WAL;"))
            {
                wal.ExecuteScalar();
            }

            using var schema = Command(connection, Schema);
            schema.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value is long or int ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : value);
        }

        return command;
    }
}
