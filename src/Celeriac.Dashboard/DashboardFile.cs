using Microsoft.Data.Sqlite;

namespace Celeriac.Dashboard;

/// <summary>
/// One table of the dashboard's own SQLite file (<see cref="DashboardOptions.WorkerTablePath"/>: the worker table, the
/// metrics): a connection opened on first use, so a host that never starts the dashboard's feed never creates the file,
/// in WAL mode (the tables' connections do not block each other's reads) with a 10 s busy timeout, and its table created
/// there; calls take turns on it.
/// </summary>
internal sealed class DashboardFile(string path, string schema) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    /// <summary>The file's full path.</summary>
    public string FilePath { get; } = Path.GetFullPath(path);

    /// <summary>Runs <paramref name="work"/> on the connection, one call at a time.</summary>
    public async ValueTask<T> UseAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return work(_connection ??= Open());
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    private SqliteConnection Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = FilePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 10,
        }.ToString());
        connection.Open();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                PRAGMA busy_timeout = 10000;
                PRAGMA journal_mode = WAL;
                {schema}
                """;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
