using System.Text.Json;
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

    private readonly DashboardFile _file;

    public SqliteWorkerTable(IOptions<DashboardOptions> options) =>
        _file = new DashboardFile(options.Value.WorkerTablePath ?? DashboardDefaults.WorkerTableFileName,
            "CREATE TABLE IF NOT EXISTS workers (hostname TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL);");

    public string FilePath => _file.FilePath;

    public ValueTask<IReadOnlyList<WorkerRecord>> LoadAsync(CancellationToken cancellationToken) =>
        _file.UseAsync<IReadOnlyList<WorkerRecord>>(connection =>
        {
            using var command = connection.CreateCommand();
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
        }, cancellationToken);

    public async ValueTask SaveAsync(WorkerRecord worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        await _file.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO workers (hostname, record) VALUES ($hostname, $record) ON CONFLICT (hostname) DO UPDATE SET record = excluded.record;";
            command.Parameters.AddWithValue("$hostname", worker.Hostname);
            command.Parameters.AddWithValue("$record", JsonSerializer.Serialize(worker, s_json));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public void Dispose() => _file.Dispose();
}
