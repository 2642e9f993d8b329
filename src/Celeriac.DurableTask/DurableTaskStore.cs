using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.DurableTask;

/// <summary>
/// Task records as Durable Entities, one <see cref="TaskRecordEntity"/> per task, through
/// <see cref="DurableTaskClient.Entities"/>: a change is a signal, a read is the entity's persisted state, a listing
/// is an entity query. Meant for the Azure Functions app, where the task hub is the durable store.
/// </summary>
/// <remarks>
/// <para>
/// <b>Changes are applied later, so their results are predicted.</b> A signal returns once it is queued, before the
/// entity applies it (about half a second later on Azure Storage). <see cref="ApplyAsync"/> therefore reads the
/// record, runs the same pure <see cref="TaskStateMachine"/> the entity will run, signals the change and returns that
/// prediction. The entity is what decides: it applies every change to the state it holds, so a final state is
/// never overwritten and the version counts exactly the changes applied, whatever was predicted. Within one store
/// instance, changes to one task are sent one at a time and each is predicted from the previous prediction until the
/// entity's state catches up, so one process's own changes predict exactly; a change another process made and the
/// entity has not persisted yet is not seen, and the prediction may then be off by it (as
/// <see cref="ITaskStore"/>'s remarks allow).
/// </para>
/// <para>
/// <b>Reads lag.</b> <see cref="GetAsync"/> returns what the entity last persisted, which may not yet include recent
/// changes, from this process or any other.
/// </para>
/// <para>
/// <b>Listing and counting scan.</b> The entity query can only select by key prefix, so <see cref="QueryAsync"/> and
/// <see cref="CountByStateAsync"/> read every record of this store (every entity under
/// <see cref="DurableTaskStoreOptions.KeyPrefix"/>), <see cref="DurableTaskStoreOptions.QueryPageSize"/> per request,
/// and filter, sort and count in memory (keeping only one page of matches). Their cost grows with the number of
/// records kept, not with the page asked for.
/// </para>
/// <para>
/// <b>Task ids become entity keys.</b> The entity's instance id is <c>@taskrecord@{KeyPrefix}{taskId}</c>. The Azure
/// Storage provider uses instance ids as table keys, which may not contain <c>/</c>, <c>\</c>, <c>#</c>, <c>?</c> or
/// control characters, so such task ids may fail there (not tried); Celery's default ids (UUIDs) never contain them.
/// </para>
/// </remarks>
public sealed class DurableTaskStore : ITaskStore
{
    // Changes to one task are serialized (one lock stripe per id hash), so their predictions chain.
    private const int Stripes = 256;

    // A prediction older than this is dropped: by then the entity has long applied the change, or it never will.
    private static readonly TimeSpan s_predictionLifetime = TimeSpan.FromMinutes(2);

    // Expired predictions are swept only when this many are kept.
    private const int SweepThreshold = 4096;

    private readonly IDurableTaskClientProvider _clients;
    private readonly string? _clientName;
    private readonly string _keyPrefix;
    private readonly int _pageSize;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly Dictionary<string, Prediction> _predictions = new(StringComparer.Ordinal);
    private readonly Lock _predictionsLock = new();

    /// <summary>Creates the store over the clients a host registered.</summary>
    /// <exception cref="OptionsValidationException">The options cannot work.</exception>
    public DurableTaskStore(IDurableTaskClientProvider clients, IOptions<DurableTaskStoreOptions> options, TimeProvider timeProvider,
        ILogger<DurableTaskStore> logger)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        var validation = new DurableTaskStoreOptionsValidator().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(DurableTaskStoreOptions), validation.Failures);
        }

        _clients = clients;
        _clientName = value.ClientName;
        _keyPrefix = value.KeyPrefix;
        _pageSize = value.QueryPageSize;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The entity that holds a task's record.</summary>
    public EntityInstanceId EntityId(string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return new EntityInstanceId(TaskRecordEntity.EntityName, _keyPrefix + taskId);
    }

    /// <inheritdoc />
    /// <remarks>What the entity last persisted: recent changes may not show yet.</remarks>
    public async ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var metadata = await Client.Entities.GetEntityAsync(EntityId(taskId), includeState: true, cancellationToken);
        return ReadRecord(metadata);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Signals the change and returns the predicted result (see the class remarks): the change is queued when this
    /// returns, and applied by the entity shortly after. A change is sent even when the prediction says it will be
    /// ignored, since the prediction may rest on a lagging read; the entity ignores it again if so.
    /// </remarks>
    public async ValueTask<TransitionResult> ApplyAsync(string taskId, TaskTransition transition, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(transition);
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(taskId) % Stripes];
        await stripe.WaitAsync(cancellationToken);
        try
        {
            var stored = await GetAsync(taskId, cancellationToken);
            var result = TaskStateMachine.Apply(Basis(taskId, stored), taskId, transition);
            await Client.Entities.SignalEntityAsync(EntityId(taskId), TaskRecordEntity.ApplyOperation,
                TaskRecordJson.WriteChange(taskId, transition), cancellation: cancellationToken);
            if (result.WasApplied)
            {
                Remember(taskId, result.Record!);
            }

            Log.ChangeSignalled(_logger, transition.GetType().Name, taskId, result.WasApplied, result.Record?.Version ?? 0);
            return result;
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Scans every record of this store (see the class remarks); reads lag behind recent changes.</remarks>
    public async ValueTask<TaskRecordPage> QueryAsync(TaskRecordQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var cursor = query.Cursor is { } text ? TaskRecordCursor.Parse(text) : null;
        var limit = Math.Clamp(query.Limit, 1, TaskRecordQuery.MaxLimit);

        // The limit + 1 newest matches: a min-heap in newest-first order drops the oldest once it holds more.
        var newest = new PriorityQueue<TaskRecord, TaskRecord>(limit + 2, OldestFirst.Instance);
        await foreach (var record in ScanAsync(cancellationToken))
        {
            if (TaskRecordFilter.Matches(record, query) && (cursor is null || cursor.IsBefore(record)))
            {
                newest.Enqueue(record, record);
                if (newest.Count > limit + 1)
                {
                    newest.Dequeue();
                }
            }
        }

        var items = new TaskRecord[newest.Count];
        for (var i = items.Length - 1; i >= 0; i--)
        {
            items[i] = newest.Dequeue();
        }

        if (items.Length <= limit)
        {
            return new TaskRecordPage(items, null);
        }

        return new TaskRecordPage(items[..limit], TaskRecordCursor.After(items[limit - 1]).ToString());
    }

    /// <inheritdoc />
    /// <remarks>Scans every record of this store (see the class remarks); reads lag behind recent changes.</remarks>
    public async ValueTask<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<TaskState, long>();
        await foreach (var record in ScanAsync(cancellationToken))
        {
            counts[record.State] = counts.GetValueOrDefault(record.State) + 1;
        }

        return counts;
    }

    private DurableTaskClient Client => _clients.GetClient(_clientName);

    private async IAsyncEnumerable<TaskRecord> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = new EntityQuery
        {
            InstanceIdStartsWith = $"@{TaskRecordEntity.EntityName.ToLowerInvariant()}@{_keyPrefix}",
            IncludeState = true,
            PageSize = _pageSize,
        };
        await foreach (var metadata in Client.Entities.GetAllEntitiesAsync(filter).WithCancellation(cancellationToken))
        {
            if (ReadRecord(metadata) is { } record)
            {
                yield return record;
            }
        }
    }

    private static TaskRecord? ReadRecord(EntityMetadata? metadata) =>
        metadata is { IncludesState: true } ? TaskRecordJson.Read(metadata.State.ReadAs<string?>()) : null;

    // The record to predict from: this store's last prediction while the entity has not caught up with it, else what the entity holds.
    private TaskRecord? Basis(string taskId, TaskRecord? stored)
    {
        lock (_predictionsLock)
        {
            if (!_predictions.TryGetValue(taskId, out var predicted))
            {
                return stored;
            }

            if ((stored?.Version ?? 0) >= predicted.Record.Version || IsExpired(predicted))
            {
                _predictions.Remove(taskId);
                return stored;
            }

            return predicted.Record;
        }
    }

    private void Remember(string taskId, TaskRecord record)
    {
        lock (_predictionsLock)
        {
            _predictions[taskId] = new Prediction(record, _time.GetUtcNow());
            if (_predictions.Count > SweepThreshold)
            {
                foreach (var (id, prediction) in _predictions)
                {
                    if (IsExpired(prediction))
                    {
                        _predictions.Remove(id);
                    }
                }
            }
        }
    }

    private bool IsExpired(Prediction prediction) => _time.GetUtcNow() - prediction.At > s_predictionLifetime;

    private sealed record Prediction(TaskRecord Record, DateTimeOffset At);

    /// <summary>Orders records oldest first, the reverse of a listing, so a min-heap's top is the one to drop.</summary>
    private sealed class OldestFirst : IComparer<TaskRecord>
    {
        public static readonly OldestFirst Instance = new();

        public int Compare(TaskRecord? x, TaskRecord? y)
        {
            var byTime = (x!.Timeline.Created ?? DateTimeOffset.MinValue).UtcTicks.CompareTo((y!.Timeline.Created ?? DateTimeOffset.MinValue).UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
