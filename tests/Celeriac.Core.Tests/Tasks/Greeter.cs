namespace Celeriac.Core.Tests.Tasks;

public interface IGreeter
{
    string Greet(string name);
}

public sealed class Greeter : IGreeter
{
    public string Greet(string name) => $"Hello, {name}";
}

/// <summary>Counts instances, to tell per-execution objects from singletons.</summary>
public sealed class InstanceCounter
{
    private int _created;

    public int Created => Volatile.Read(ref _created);

    public int Next() => Interlocked.Increment(ref _created);
}
