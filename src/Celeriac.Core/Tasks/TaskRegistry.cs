using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tasks;

/// <summary>The tasks this process can run, by name.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDefinition> _tasks = new(StringComparer.Ordinal);

    /// <summary>Builds the registry from the declarations, telling DI services from arguments.</summary>
    public TaskRegistry(IOptions<TaskRegistryOptions> options, IServiceProviderIsService? serviceCheck = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Func<Type, bool> isService = serviceCheck is null ? static _ => false : serviceCheck.IsService;
        foreach (var registration in options.Value.Registrations)
        {
            _tasks[registration.Name] = new TaskDefinition(registration, isService);
        }
    }

    /// <summary>The registered task names, sorted.</summary>
    public IReadOnlyList<string> Names => _tasks.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Finds a task by name.</summary>
    public bool TryGet(string name, out TaskDefinition definition) => _tasks.TryGetValue(name, out definition!);
}
