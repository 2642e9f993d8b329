using Microsoft.DurableTask.Entities;

namespace Celeriac.Functions.Dashboard;

/// <summary>
/// The Durable Entity that keeps one worker the dashboard has seen (entity name <see cref="EntityName"/>, key: the
/// worker's node name), so the Functions app's worker table survives restarts and is shared by its instances. Its
/// state is the worker's record as JSON; every save replaces it (the newest heartbeat wins, as in the SQLite table).
/// </summary>
internal sealed class DashboardWorkerEntity : TaskEntity<string?>
{
    /// <summary>The entity name the trigger function is registered under (entity ids lower-case it).</summary>
    public const string EntityName = "DashboardWorker";

    /// <summary>The operation that replaces the record (input: its JSON text).</summary>
    public const string SaveOperation = "save";

    /// <summary>Replaces the kept record.</summary>
    public void Save(string record) => State = record;

    /// <summary>No state until the first save.</summary>
    protected override string? InitializeState(TaskEntityOperation entityOperation) => null;
}
