using System.Reflection;

namespace Celeriac.Core.Tasks;

/// <summary>A task as the application declared it: a name and a method (with its target, if any).</summary>
/// <param name="Name">The task name.</param>
/// <param name="Method">The method to run.</param>
/// <param name="Target">The instance for a delegate's instance method; null for static methods and for <see cref="TargetType"/>.</param>
/// <param name="TargetType">For methods of a task class: the class, created per execution from DI.</param>
/// <param name="Options">Per-task settings.</param>
public sealed record TaskRegistration(string Name, MethodInfo Method, object? Target, Type? TargetType, TaskOptions Options);

/// <summary>The tasks the application declared; filled by <c>AddTask</c>/<c>AddTasks</c> on the builder.</summary>
public sealed class TaskRegistryOptions
{
    /// <summary>The declarations, in order; a later one with the same name replaces an earlier one.</summary>
    public IList<TaskRegistration> Registrations { get; } = [];
}
