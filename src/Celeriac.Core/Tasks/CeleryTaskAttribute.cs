namespace Celeriac.Core.Tasks;

/// <summary>
/// Marks a method as a task with the given name, the C# form of Python's <c>@app.task(name=...)</c>.
/// Register the class with <c>AddTasks&lt;T&gt;()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CeleryTaskAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="name">The task name clients send, e.g. <c>tasks.add</c>.</param>
    public CeleryTaskAttribute(string name) => Name = name;

    /// <summary>The task name.</summary>
    public string Name { get; }

    /// <summary>Hard time limit in seconds (0 = none). A message's own limit wins.</summary>
    public double TimeLimit { get; set; }

    /// <summary>Soft time limit in seconds (0 = none). A message's own limit wins.</summary>
    public double SoftTimeLimit { get; set; }
}
