using System.Reflection;

namespace Celeriac.Core.Tasks;

/// <summary>Where a task method's parameter gets its value.</summary>
public enum TaskParameterSource
{
    /// <summary>From the message's positional or keyword arguments.</summary>
    Argument,

    /// <summary>The task's cancellation token (revoke with terminate, time limits).</summary>
    CancellationToken,

    /// <summary>The <see cref="Tasks.TaskContext"/>.</summary>
    Context,

    /// <summary>A service from the execution's DI scope.</summary>
    Service,

    /// <summary>The arguments no other parameter took (<see cref="TaskArguments"/>, Python's <c>*args, **kwargs</c>).</summary>
    Rest,
}

/// <summary>One parameter of a task method.</summary>
/// <param name="Name">The parameter name; keyword arguments bind by it.</param>
/// <param name="Type">The parameter type.</param>
/// <param name="Source">Where the value comes from.</param>
/// <param name="IsOptional">True when the parameter has a default value.</param>
/// <param name="DefaultValue">The default value.</param>
public sealed record TaskParameter(string Name, Type Type, TaskParameterSource Source, bool IsOptional, object? DefaultValue)
{
    internal static TaskParameter From(ParameterInfo parameter, Func<Type, bool> isService)
    {
        var type = parameter.ParameterType;
        var source = type == typeof(CancellationToken) ? TaskParameterSource.CancellationToken
            : type == typeof(TaskContext) ? TaskParameterSource.Context
            : type == typeof(TaskArguments) ? TaskParameterSource.Rest
            : type == typeof(IServiceProvider) || (!IsData(type) && isService(type)) ? TaskParameterSource.Service
            : TaskParameterSource.Argument;
        return new TaskParameter(parameter.Name ?? $"arg{parameter.Position}", type, source, parameter.HasDefaultValue,
            parameter.HasDefaultValue ? parameter.DefaultValue : null);
    }

    // DI answers "yes" for any IEnumerable<T>; such parameters are data (a JSON list), never services.
    private static bool IsData(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsArray || type == typeof(string) || type == typeof(decimal)
        || type == typeof(System.Text.Json.JsonElement) || Nullable.GetUnderlyingType(type) is not null
        || (type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)));
}
