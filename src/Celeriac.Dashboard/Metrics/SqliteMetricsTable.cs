using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// The metrics as one JSON row of a <c>metrics</c> table in the worker table's SQLite file
/// (<see cref="DashboardOptions.WorkerTablePath"/>): a few kilobytes, replaced whole on every save.
/// </summary>
internal sealed class SqliteMetricsTable : IMetricsTable, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    public SqliteMetricsTable(IOptions<DashboardOptions> options) =>
        _path = Path.GetFullPath(options.Value.WorkerTablePath ?? DashboardDefaults.WorkerTableFileName);

    public async ValueTask<MetricsState?> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT state FROM metrics WHERE id = 1;";
            return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<MetricsState>(json, s_json) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SaveAsync(MetricsState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "INSERT INTO metrics (id, state) VALUES (1, $state) ON CONFLICT (id) DO UPDATE SET state = excluded.state;";
            command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(state, s_json));
            command.ExecuteNonQuery();
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

    // Opened on first use; the worker table shares the file (WAL, so the two connections do not block each other's reads).
    private SqliteConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 10,
        }.ToString());
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA busy_timeout = 10000;
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS metrics (id INTEGER NOT NULL PRIMARY KEY, state TEXT NOT NULL);
                """;
            command.ExecuteNonQuery();
        }

        _connection = connection;
        return connection;
    }
}
