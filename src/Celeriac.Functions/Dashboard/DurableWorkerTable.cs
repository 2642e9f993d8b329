using System.Text.Json;
using Celeriac.Dashboard.Workers;
using Celeriac.Functions.Records;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;

namespace Celeriac.Functions.Dashboard;

/// <summary>
/// The dashboard's worker table in the Functions app: one <see cref="DashboardWorkerEntity"/> per worker, through the
/// Durable client the functions' bindings handed in (see <see cref="BoundDurableClients"/>). A save is a signal, so a
/// read right after it may still show the worker as it was; the live board in memory is what pages show meanwhile.
/// </summary>
/// <remarks>
/// The dashboard's feed starts with the app, before any function ran, so before any client exists: a load waits for
/// the first binding (the board fills from live heartbeats meanwhile), and saves made before it are held, the newest
/// per worker, and signalled with the first save or load that has a client.
/// </remarks>
internal sealed class DurableWorkerTable(BoundDurableClients clients) : IWorkerTable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly Lock _heldLock = new();
    private readonly Dictionary<string, WorkerRecord> _held = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<WorkerRecord>> LoadAsync(CancellationToken cancellationToken)
    {
        await clients.WhenBoundAsync(cancellationToken);
        await SignalHeldAsync(cancellationToken);
        var query = new EntityQuery { InstanceIdStartsWith = $"@{DashboardWorkerEntity.EntityName.ToLowerInvariant()}@", IncludeState = true };
        var workers = new List<WorkerRecord>();
        await foreach (var metadata in clients.GetClient().Entities.GetAllEntitiesAsync(query).WithCancellation(cancellationToken))
        {
            if (metadata.IncludesState && metadata.State.ReadAs<string?>() is { } json && JsonSerializer.Deserialize<WorkerRecord>(json, s_json) is { } worker)
            {
                workers.Add(worker);
            }
        }

        return workers.OrderBy(w => w.Hostname, StringComparer.Ordinal).ToArray();
    }

    public async ValueTask SaveAsync(WorkerRecord worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (!clients.IsBound)
        {
            lock (_heldLock)
            {
                _held[worker.Hostname] = worker;
            }

            return;
        }

        await SignalHeldAsync(cancellationToken);
        await SignalAsync(worker, cancellationToken);
    }

    private async ValueTask SignalHeldAsync(CancellationToken cancellationToken)
    {
        WorkerRecord[] held;
        lock (_heldLock)
        {
            held = [.. _held.Values];
            _held.Clear();
        }

        foreach (var worker in held)
        {
            await SignalAsync(worker, cancellationToken);
        }
    }

    private Task SignalAsync(WorkerRecord worker, CancellationToken cancellationToken) =>
        clients.GetClient().Entities.SignalEntityAsync(new EntityInstanceId(DashboardWorkerEntity.EntityName, worker.Hostname),
            DashboardWorkerEntity.SaveOperation, JsonSerializer.Serialize(worker, s_json), cancellation: cancellationToken);
}
