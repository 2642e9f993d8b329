using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Metrics;

/// <summary>
/// The metrics as one JSON row of a <c>metrics</c> table in the worker table's SQLite file
/// (<see cref="DashboardOptions.WorkerTablePath"/>): a few kilobytes, replaced whole on every save.
/// </summary>
internal sealed class SqliteMetricsTable : IMetricsTable, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly DashboardFile _file;

    public SqliteMetricsTable(IOptions<DashboardOptions> options) =>
        _file = new DashboardFile(options.Value.WorkerTablePath ?? DashboardDefaults.WorkerTableFileName,
            "CREATE TABLE IF NOT EXISTS metrics (id INTEGER NOT NULL PRIMARY KEY, state TEXT NOT NULL);");

    public ValueTask<MetricsState?> LoadAsync(CancellationToken cancellationToken) =>
        _file.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT state FROM metrics WHERE id = 1;";
            return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<MetricsState>(json, s_json) : null;
        }, cancellationToken);

    public async ValueTask SaveAsync(MetricsState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await _file.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO metrics (id, state) VALUES (1, $state) ON CONFLICT (id) DO UPDATE SET state = excluded.state;";
            command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(state, s_json));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public void Dispose() => _file.Dispose();
}
