using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// Open read-only connections, reused. Reads never use the writer's connection: in WAL mode each reader
/// sees the last commit and runs while the writer writes.
/// </summary>
internal sealed class ReaderPool(string path, TimeSpan busyTimeout, int maxIdle) : IDisposable
{
    private readonly Stack<ReaderConnection> _idle = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>An idle connection, or a new one.</summary>
    public ReaderConnection Rent()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var connection))
            {
                return connection;
            }
        }

        return new ReaderConnection(SqliteDatabase.Open(path, busyTimeout, reader: true));
    }

    /// <summary>Gives a connection back; it is closed when enough are idle or the pool is gone.</summary>
    public void Return(ReaderConnection connection)
    {
        lock (_lock)
        {
            if (!_disposed && _idle.Count < maxIdle)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ReaderConnection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }
}

/// <summary>A read connection and its prepared lookups by id.</summary>
internal sealed class ReaderConnection : IDisposable
{
    private SqliteCommand? _get;
    private SqliteCommand? _revokeRequested;

    public ReaderConnection(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The prepared <c>SELECT</c> of one record by id (parameter <c>$id</c>).</summary>
    public SqliteCommand GetCommand()
    {
        if (_get is null)
        {
            _get = Connection.CreateCommand();
            _get.CommandText = "SELECT record, args, kwargs, result FROM task_records WHERE id = $id;";
            _get.Parameters.Add("$id", SqliteType.Text);
        }

        return _get;
    }

    /// <summary>
    /// The prepared lookup of whether one record (parameter <c>$id</c>) carries a revoke request: a row with 1 or 0, none
    /// for an unknown id. SQLite reads the one property; the record is not materialized.
    /// </summary>
    public SqliteCommand RevokeRequestedCommand()
    {
        if (_revokeRequested is null)
        {
            _revokeRequested = Connection.CreateCommand();
            _revokeRequested.CommandText = $"SELECT json_extract(record, '{TaskRecordJson.RevokePath}') IS NOT NULL FROM task_records WHERE id = $id;";
            _revokeRequested.Parameters.Add("$id", SqliteType.Text);
        }

        return _revokeRequested;
    }

    public void Dispose()
    {
        _get?.Dispose();
        _revokeRequested?.Dispose();
        Connection.Dispose();
    }
}
