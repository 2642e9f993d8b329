using Celeriac.Core.Records;
using Celeriac.Core.States;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Tasks;

/// <summary>
/// The counts per state, shared by every open page and reused for <see cref="DashboardOptions.CountsCacheDuration"/>:
/// however many pages refresh, the store counts at most once per period.
/// </summary>
internal sealed class StateCounts(ITaskStore store, TimeProvider time, IOptions<DashboardOptions> options)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _duration = options.Value.CountsCacheDuration;
    private IReadOnlyDictionary<TaskState, long>? _counts;
    private long _countedAt;

    public async ValueTask<IReadOnlyDictionary<TaskState, long>> GetAsync(CancellationToken cancellationToken)
    {
        if (_counts is { } fresh && time.GetElapsedTime(Volatile.Read(ref _countedAt)) < _duration)
        {
            return fresh;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_counts is { } counted && time.GetElapsedTime(_countedAt) < _duration)
            {
                return counted;
            }

            var counts = await store.CountByStateAsync(cancellationToken);
            _counts = counts;
            Volatile.Write(ref _countedAt, time.GetTimestamp());
            return counts;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The next read counts again (after an action changed a record).</summary>
    public void Invalidate() => _counts = null;

    /// <summary>The counts as the page shows them: every state by wire name, and the total.</summary>
    public static CountsView View(IReadOnlyDictionary<TaskState, long> counts) =>
        new(Enum.GetValues<TaskState>().ToDictionary(s => s.ToWireName(), s => counts.GetValueOrDefault(s)), counts.Values.Sum());
}

/// <summary>Records per state and in all.</summary>
internal sealed record CountsView(IReadOnlyDictionary<string, long> States, long Total);
