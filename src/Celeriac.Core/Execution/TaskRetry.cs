using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution;

/// <summary>A task that failed and runs again: RETRY, reported to every <see cref="ITaskObserver"/> before it is republished.</summary>
/// <param name="Retries">The retry count the republished message carries (the failed run's plus one).</param>
/// <param name="Eta">When the retry runs; null for at once.</param>
/// <param name="Countdown">The delay asked for, when the retry named no time (Celery's log shows the time when there is one).</param>
/// <param name="Error">The reason (Celery's <c>exc</c>); null when the task gave none.</param>
/// <param name="Traceback">Where the retry was asked for or the exception thrown.</param>
public sealed record TaskRetry(int Retries, DateTimeOffset? Eta, TimeSpan? Countdown, TaskError? Error, string? Traceback)
{
    /// <summary>Celery's text of the retry, as its log shows it: <c>Retry in 4s: ValueError('x')</c>.</summary>
    public string Describe()
    {
        var when = Eta is { } eta && Countdown is null
            ? $"at {CeleryTime.Format(eta)}"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"in {(Countdown ?? TimeSpan.Zero).TotalSeconds}s");
        return Error is null ? $"Retry {when}" : $"Retry {when}: {Error.Repr}";
    }
}
