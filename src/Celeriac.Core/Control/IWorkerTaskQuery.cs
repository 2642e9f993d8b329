namespace Celeriac.Core.Control;

/// <summary>
/// Asks the running workers (Celery's and Celeriac's) which tasks they registered, as <c>celery inspect registered</c>
/// does; the transport implements it. The HTTP API uses it to accept tasks that only workers elsewhere define.
/// </summary>
public interface IWorkerTaskQuery
{
    /// <summary>
    /// The task names every worker that answered within <paramref name="timeout"/> registered, by node name. No answer
    /// (no worker running) is an empty dictionary; a broker that cannot be reached throws.
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetRegisteredAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
