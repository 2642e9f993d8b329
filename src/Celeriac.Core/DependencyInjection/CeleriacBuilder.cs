using System.Reflection;
using Celeriac.Core.Events;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Core.DependencyInjection;

/// <summary>
/// Configures Celeriac: declare tasks here, then choose the parts this process needs: a transport
/// (<c>UseRabbitMq</c>), a record store (<c>UseSqliteStore</c>, ...), a worker (<c>AddWorker</c>), the HTTP API
/// (<c>AddHttpApi</c>). The order of the calls does not matter.
/// </summary>
public sealed class CeleriacBuilder
{
    internal CeleriacBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for extensions that add parts.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The configuration section given to <c>AddCeleriac(configuration)</c> (usually <c>Celeriac</c>), or null. Each
    /// part binds its own sub-section from it when it is chosen (<c>Worker</c>, <c>Events</c>, <c>Revocation</c>,
    /// <c>RabbitMq</c>, <c>Sqlite</c>, <c>Http</c>); options set in code are applied after it, so code wins.
    /// </summary>
    public IConfiguration? Configuration { get; internal set; }

    /// <summary>
    /// Declares a task: a name and a delegate, like Python's <c>@app.task</c>. Parameters bind from the
    /// message's args (by position) and kwargs (by name); a <see cref="CancellationToken"/> parameter is
    /// signalled by revoke-terminate and time limits; a <see cref="TaskContext"/> parameter gets the
    /// invocation; parameters of registered service types are injected. The return value becomes the result.
    /// </summary>
    /// <example><code>builder.AddTask("tasks.add", (int x, int y) => x + y);</code></example>
    public CeleriacBuilder AddTask(string name, Delegate handler, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new TaskRegistration(name, handler.Method, handler.Target, TargetType: null, options ?? TaskOptions.Default);
        Services.Configure<TaskRegistryOptions>(o => o.Registrations.Add(registration));
        return this;
    }

    /// <summary>
    /// Declares every method of <typeparamref name="T"/> marked <see cref="CeleryTaskAttribute"/>. Instance
    /// methods run on an instance from DI (or created with constructor injection) per execution.
    /// </summary>
    public CeleriacBuilder AddTasks<T>() where T : class => AddTasks(typeof(T));

    /// <summary>Declares every method of <paramref name="type"/> marked <see cref="CeleryTaskAttribute"/>.</summary>
    public CeleriacBuilder AddTasks(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<CeleryTaskAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToArray();
        if (methods.Length == 0)
        {
            throw new ArgumentException($"{type.Name} has no public method marked [CeleryTask].", nameof(type));
        }

        foreach (var (method, attribute) in methods)
        {
            var options = new TaskOptions
            {
                TimeLimit = attribute!.TimeLimit > 0 ? TimeSpan.FromSeconds(attribute.TimeLimit) : null,
                SoftTimeLimit = attribute.SoftTimeLimit > 0 ? TimeSpan.FromSeconds(attribute.SoftTimeLimit) : null,
                Retry = attribute.ToRetryPolicy(),
            };
            var registration = new TaskRegistration(attribute.Name, method, Target: null, method.IsStatic ? null : type, options);
            Services.Configure<TaskRegistryOptions>(o => o.Registrations.Add(registration));
        }

        return this;
    }

    /// <summary>Configures the events the worker sends.</summary>
    public CeleriacBuilder ConfigureEvents(Action<EventOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Keeps a worker's revokes in memory only (lost on restart) instead of on the task records or in the durable
    /// per-node file. It wins over a store whatever the order of the calls.
    /// </summary>
    public CeleriacBuilder UseInMemoryRevokes()
    {
        Services.Configure<RevocationOptions>(o => o.Source = RevocationSource.InMemory);
        return this;
    }
}
