using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Beat;

/// <summary>
/// One entry of the beat schedule (Celery's <c>beat_schedule</c> item): a name unique in the schedule, the task to send,
/// its arguments and queue, and when.
/// </summary>
public sealed record PeriodicTask
{
    /// <summary>The entry's name, e.g. <c>add-every-10s</c>; ticks are recorded under it.</summary>
    public required string Name { get; init; }

    /// <summary>The task to send, e.g. <c>tasks.add</c>.</summary>
    public required string Task { get; init; }

    /// <summary>When it is due.</summary>
    public required IPeriodicSchedule Schedule { get; init; }

    /// <summary>Positional arguments (a JSON array).</summary>
    public JsonElement Args { get; init; } = CeleryJson.EmptyArray;

    /// <summary>Keyword arguments (a JSON object).</summary>
    public JsonElement Kwargs { get; init; } = CeleryJson.EmptyObject;

    /// <summary>The queue it goes to.</summary>
    public string Queue { get; init; } = "celery";

    /// <summary>
    /// When set, a sent task expires this long after its tick (Celery's <c>options={'expires': ...}</c>), so a
    /// worker that was down does not run a pile of stale ticks.
    /// </summary>
    public TimeSpan? ExpiresAfter { get; init; }
}
