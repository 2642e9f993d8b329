namespace Celeriac.AspNetCore.Api;

/// <summary>
/// Which task names the HTTP API accepts: the tasks registered in this process, those configured
/// (<see cref="TaskApiOptions.Tasks"/>) and those the running workers registered. Replace it to decide otherwise.
/// </summary>
public interface ITaskNameCatalog
{
    /// <summary>True when a task of this name may be sent; may ask the workers when the name is not known yet.</summary>
    ValueTask<bool> ContainsAsync(string name, CancellationToken cancellationToken);

    /// <summary>The names (and patterns) known now, sorted, for an answer that says which tasks exist.</summary>
    IReadOnlyList<string> Known { get; }
}
