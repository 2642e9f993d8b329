using System.Text.Json;
using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Tasks;

/// <summary>Tasks declared through <c>AddCeleriac()</c> on a real container, invoked as the processor invokes them.</summary>
internal static class TaskHost
{
    public static ServiceProvider Build(Action<CeleriacBuilder> tasks, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        tasks(collection.AddCeleriac());
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public static TaskDefinition Definition(this IServiceProvider services, string name) =>
        services.GetRequiredService<TaskRegistry>().TryGet(name, out var definition) ? definition : throw new KeyNotFoundException(name);

    /// <summary>Runs the task in its own scope with the given arguments and returns the JSON result.</summary>
    public static async Task<JsonElement> InvokeAsync(this ServiceProvider services, string name, string args = "[]", string kwargs = "{}",
        CancellationToken cancellationToken = default)
    {
        var message = new TaskMessage { Id = "id-1", Name = name, Args = Json(args), Kwargs = Json(kwargs) };
        var context = new TaskContext(message, "w1@vm", redelivered: false, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        return await services.Definition(name).InvokeAsync(context, scope.ServiceProvider);
    }
}
