using System.Collections.Concurrent;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The PENDING record writes that <see cref="TaskApi.EnqueueAsync"/> handed to the store after the broker's confirm and
/// did not await, so a 202 does not wait for a group commit's fsync. Every read of a task waits for its own write first,
/// and a listing for all of those handed over before it: what the API answers after a 202 is always what the store holds
/// once the record is in, arguments included.
/// </summary>
/// <remarks>
/// Bounded at <see cref="Capacity"/> writes: past that (a slow or locked store) <see cref="TryReserve"/> fails and the
/// caller awaits its own write, as it would without this, so a fast client cannot pile up writes and their arguments in
/// memory. A write never faults: the API logs a failed one and leaves the record to the worker, which creates it at
/// RECEIVED.
/// </remarks>
internal sealed class AcceptedRecordWrites
{
    public const int Capacity = 1024;

    private readonly SemaphoreSlim _slots = new(Capacity, Capacity);
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for one write without waiting; false when <see cref="Capacity"/> are in flight.</summary>
    public bool TryReserve() => _slots.Wait(0);

    /// <summary>
    /// Tracks a write that holds a slot from <see cref="TryReserve"/> until it completes, then frees the slot. The task
    /// must not fault.
    /// </summary>
    public void Track(string taskId, Task write)
    {
        if (write.IsCompleted)
        {
            _slots.Release();
            return;
        }

        _inFlight[taskId] = write;
        write.ContinueWith(static (done, state) =>
        {
            var (writes, id) = ((AcceptedRecordWrites, string))state!;
            writes._inFlight.TryRemove(KeyValuePair.Create(id, done));
            writes._slots.Release();
        }, (this, taskId), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Completes once the write for <paramref name="taskId"/>, if one is in flight, has landed.</summary>
    public Task WaitForAsync(string taskId, CancellationToken cancellationToken) =>
        _inFlight.TryGetValue(taskId, out var write) ? write.WaitAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Completes once every write in flight now has landed (not those handed over later).</summary>
    public Task WaitForAllAsync(CancellationToken cancellationToken) =>
        _inFlight.IsEmpty ? Task.CompletedTask : Task.WhenAll(_inFlight.Values).WaitAsync(cancellationToken);
}
