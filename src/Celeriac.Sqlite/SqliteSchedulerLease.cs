using Celeriac.Core.Beat;
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

    private readonly TimeProvider _time;
    private readonly SqliteSideTable _table;

    public SqliteSchedulerLease(IOptions<SqliteTaskStoreOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _table = new SqliteSideTable(options.Value, time, Schema);
    }

    public ValueTask<bool> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        _table.InTransactionAsync(connection =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Taken when free, expired, or already ours; otherwise the row is left as it is.
            using var command = SqliteSideTable.Command(connection, """
                INSERT INTO beat_lease (name, owner, expires_at) VALUES ($name, $owner, $expires)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE beat_lease.owner = excluded.owner OR beat_lease.expires_at <= $now;
                """, ("$name", LeaseName), ("$owner", owner), ("$expires", now + (long)duration.TotalMilliseconds), ("$now", now));
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public async ValueTask ReleaseAsync(string owner, CancellationToken cancellationToken) =>
        await _table.InTransactionAsync(connection =>
        {
            using var command = SqliteSideTable.Command(connection, "DELETE FROM beat_lease WHERE name = $name AND owner = $owner;", ("$name", LeaseName), ("$owner", owner));
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public async ValueTask<DateTimeOffset?> GetLastTickAsync(string entry, CancellationToken cancellationToken)
    {
        var value = await _table.InTransactionAsync(connection =>
        {
            using var command = SqliteSideTable.Command(connection, "SELECT last_tick FROM beat_ticks WHERE entry = $entry;", ("$entry", entry));
            return command.ExecuteScalar();
        }, cancellationToken);
        return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public ValueTask<bool> TryClaimTickAsync(string owner, string entry, DateTimeOffset tick, CancellationToken cancellationToken) =>
        _table.InTransactionAsync(connection =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Both checks under the one write lock: the claimer holds an unexpired lease, and no one claimed this tick or a later one.
            using var check = SqliteSideTable.Command(connection, "SELECT 1 FROM beat_lease WHERE name = $name AND owner = $owner AND expires_at > $now;",
                ("$name", LeaseName), ("$owner", owner), ("$now", now));
            if (check.ExecuteScalar() is null)
            {
                return false;
            }

            using var claim = SqliteSideTable.Command(connection, """
                INSERT INTO beat_ticks (entry, last_tick, owner) VALUES ($entry, $tick, $owner)
                ON CONFLICT (entry) DO UPDATE SET last_tick = excluded.last_tick, owner = excluded.owner
                WHERE beat_ticks.last_tick < excluded.last_tick;
                """, ("$entry", entry), ("$tick", tick.ToUnixTimeMilliseconds()), ("$owner", owner));
            return claim.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public void Dispose() => _table.Dispose();
}
