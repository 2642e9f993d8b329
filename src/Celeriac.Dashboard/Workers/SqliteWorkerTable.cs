using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Workers;

/// <summary>
/// The worker table in a SQLite file of its own (<see cref="DashboardOptions.WorkerTablePath"/>), next to the task
/// records: one row per worker holding its <see cref="WorkerRecord"/> as JSON. A separate file, so heartbeats never
/// take the task records' write lock.
/// </summary>
internal sealed class SqliteWorkerTable : IWorkerTable, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly string _path;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    public SqliteWorkerTable(IOptions<DashboardOptions> options) =>
        _path = Path.GetFullPath(options.Value.WorkerTablePath ?? DashboardDefaults.WorkerTableFileName);

    public string FilePath => _path;

    public async ValueTask<IReadOnlyList<WorkerRecord>> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT record FROM workers ORDER BY hostname;";
            using var reader = command.ExecuteReader();
            var workers = new List<WorkerRecord>();
            while (reader.Read())
            {
                if (JsonSerializer.Deserialize<WorkerRecord>(reader.GetString(0), s_json) is { } worker)
                {
                    workers.Add(worker);
                }
            }

            return workers;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SaveAsync(WorkerRecord worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "INSERT INTO workers (hostname, record) VALUES ($hostname, $record) ON CONFLICT (hostname) DO UPDATE SET record = excluded.record;";
            command.Parameters.AddWithValue("$hostname", worker.Hostname);
            command.Parameters.AddWithValue("$record", JsonSerializer.Serialize(worker, s_json));
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

    // Opened on first use, so a host that never starts the dashboard's feed never creates the file.
    private SqliteConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS workers (hostname TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL);
                """;
            command.ExecuteNonQuery();
        }

        _connection = connection;
        return connection;
    }
}
