using System.Reflection;
using System.Text.Json;
using Celeriac.Core.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Core.Tasks;

/// <summary>
/// A registered task, ready to run: binds Celery's args and kwargs to the method's parameters the way
/// Python binds a call (by position, then by name), injects the cancellation token, the
/// <see cref="TaskContext"/> and DI services, and turns the return value into JSON.
/// </summary>
public sealed class TaskDefinition
{
    private readonly TaskRegistration _registration;
    private readonly TaskParameter[] _parameters;
    private readonly TaskParameter[] _arguments;
    private readonly bool _takesRest;
    private readonly Func<object, Task<object?>>? _awaitResult;
    private readonly string _functionName;
    private TaskOptions _options;

    internal TaskDefinition(TaskRegistration registration, Func<Type, bool> isService)
    {
        _registration = registration;
        _parameters = registration.Method.GetParameters().Select(p => TaskParameter.From(p, isService)).ToArray();
        _arguments = _parameters.Where(p => p.Source == TaskParameterSource.Argument).ToArray();
        _takesRest = _parameters.Any(p => p.Source == TaskParameterSource.Rest);
        _awaitResult = CreateAwaiter(registration.Method.ReturnType);
        var dot = registration.Name.LastIndexOf('.');
        _functionName = dot >= 0 ? registration.Name[(dot + 1)..] : registration.Name;
        _options = registration.Options;
    }

    /// <summary>The task name.</summary>
    public string Name => _registration.Name;

    /// <summary>
    /// Per-task settings: as registered, then as remote control changed them (<c>time_limit</c>, <c>rate_limit</c>),
    /// as Celery's control commands change the task's attributes. Read it when a task starts.
    /// </summary>
    public TaskOptions Options => Volatile.Read(ref _options);

    /// <summary>Changes the settings; concurrent changes are applied one after the other, none lost.</summary>
    internal void ChangeOptions(Func<TaskOptions, TaskOptions> change)
    {
        var current = Volatile.Read(ref _options);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref _options, change(current), current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The parameters, in declaration order.</summary>
    public IReadOnlyList<TaskParameter> Parameters => _parameters;

    /// <summary>
    /// Checks that the arguments fit without running the task (the HTTP API rejects misfits with 400).
    /// Returns null when they fit, else the error Python would raise.
    /// </summary>
    public TaskArgumentException? Validate(JsonElement args, JsonElement kwargs)
    {
        try
        {
            BindArguments(args, kwargs);
            return null;
        }
        catch (TaskArgumentException ex)
        {
            return ex;
        }
    }

    /// <summary>Runs the task and returns its result as JSON.</summary>
    /// <exception cref="TaskArgumentException">The arguments do not fit.</exception>
    public async Task<JsonElement> InvokeAsync(TaskContext context, IServiceProvider services, JsonSerializerOptions? jsonOptions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        var (arguments, rest) = BindArguments(context.Args, context.Kwargs, jsonOptions);
        var values = new object?[_parameters.Length];
        for (int i = 0, a = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            values[i] = parameter.Source switch
            {
                TaskParameterSource.Argument => arguments[a++],
                TaskParameterSource.CancellationToken => context.CancellationToken,
                TaskParameterSource.Context => context,
                TaskParameterSource.Rest => rest,
                _ => parameter.Type == typeof(IServiceProvider) ? services : services.GetRequiredService(parameter.Type),
            };
        }

        var target = _registration.TargetType is { } type
            ? services.GetService(type) ?? ActivatorUtilities.CreateInstance(services, type)
            : _registration.Target;

        var returned = _registration.Method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, values, culture: null);
        object? result = returned;
        if (_awaitResult is not null && returned is not null)
        {
            result = await _awaitResult(returned);
        }

        return _registration.Method.ReturnType == typeof(void) ? CeleryJson.Null : CeleryJson.ToElement(result, jsonOptions);
    }

    private (object?[] Values, TaskArguments? Remaining) BindArguments(JsonElement args, JsonElement kwargs, JsonSerializerOptions? jsonOptions = null)
    {
        var values = new object?[_arguments.Length];
        var bound = new bool[_arguments.Length];
        var restPositional = new List<JsonElement>();
        var restKeyword = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var positional = args.ValueKind == JsonValueKind.Array ? args.GetArrayLength() : 0;
        if (positional > _arguments.Length && _takesRest)
        {
            restPositional.AddRange(args.EnumerateArray().Skip(_arguments.Length).Select(a => a.Clone()));
            positional = _arguments.Length;
        }
        else if (positional > _arguments.Length)
        {
            // Python: "f() takes 2 positional arguments ...", or "takes from 1 to 2 ..." when some have defaults.
            var required = _arguments.Count(a => !a.IsOptional);
            var takes = required == _arguments.Length ? $"{_arguments.Length}" : $"from {required} to {_arguments.Length}";
            var plural = required != _arguments.Length || _arguments.Length != 1;
            throw new TaskArgumentException(
                $"{_functionName}() takes {takes} positional argument{(plural ? "s" : "")} but {positional} {(positional == 1 ? "was" : "were")} given");
        }

        for (var i = 0; i < positional; i++)
        {
            values[i] = Convert(_arguments[i], args[i], jsonOptions);
            bound[i] = true;
        }

        if (kwargs.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in kwargs.EnumerateObject())
            {
                var index = FindArgument(property.Name);
                if (index < 0 && _takesRest)
                {
                    restKeyword[property.Name] = property.Value.Clone();
                    continue;
                }

                if (index < 0)
                {
                    throw new TaskArgumentException($"{_functionName}() got an unexpected keyword argument '{property.Name}'");
                }

                if (bound[index])
                {
                    throw new TaskArgumentException($"{_functionName}() got multiple values for argument '{_arguments[index].Name}'");
                }

                values[index] = Convert(_arguments[index], property.Value, jsonOptions);
                bound[index] = true;
            }
        }

        var missing = new List<string>();
        for (var i = 0; i < _arguments.Length; i++)
        {
            if (!bound[i])
            {
                if (_arguments[i].IsOptional)
                {
                    values[i] = _arguments[i].DefaultValue;
                }
                else
                {
                    missing.Add($"'{_arguments[i].Name}'");
                }
            }
        }

        if (missing.Count > 0)
        {
            // Python's list: 'x', 'x' and 'y', 'a', 'b', and 'c'.
            var names = missing.Count switch
            {
                1 => missing[0],
                2 => $"{missing[0]} and {missing[1]}",
                _ => string.Join(", ", missing.Take(missing.Count - 1)) + ", and " + missing[^1],
            };
            throw new TaskArgumentException(
                $"{_functionName}() missing {missing.Count} required positional argument{(missing.Count == 1 ? "" : "s")}: {names}");
        }

        var rest = _takesRest ? new TaskArguments(CeleryJson.ToElement(restPositional), CeleryJson.ToElement(restKeyword)) : null;
        return (values, rest);
    }

    private int FindArgument(string keyword)
    {
        for (var i = 0; i < _arguments.Length; i++)
        {
            if (_arguments[i].Name == keyword)
            {
                return i;
            }
        }

        // Python's snake_case keyword for a C# camelCase parameter: first_name binds firstName.
        var normalized = keyword.Replace("_", "", StringComparison.Ordinal);
        for (var i = 0; i < _arguments.Length; i++)
        {
            if (string.Equals(_arguments[i].Name, normalized, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private object? Convert(TaskParameter parameter, JsonElement value, JsonSerializerOptions? jsonOptions)
    {
        if (parameter.Type == typeof(JsonElement))
        {
            return value.Clone();
        }

        try
        {
            var converted = value.Deserialize(parameter.Type, jsonOptions ?? CeleryJson.Options);
            if (converted is null && parameter.Type.IsValueType && Nullable.GetUnderlyingType(parameter.Type) is null)
            {
                throw new JsonException("null is not allowed");
            }

            return converted;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new TaskArgumentException(
                $"{_functionName}() argument '{parameter.Name}' must be {DescribeType(parameter.Type)}, not {DescribeJson(value)}", ex);
        }
    }

    private static string DescribeType(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) => "an integer",
        var t when t == typeof(double) || t == typeof(float) || t == typeof(decimal) => "a number",
        var t when t == typeof(string) => "a string",
        var t when t == typeof(bool) => "a boolean",
        var t => t.Name,
    };

    private static string DescribeJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"str {PythonRepr.Format(value, 40)}",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Null => "None",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        _ => value.ValueKind.ToString(),
    };

    private static Func<object, Task<object?>>? CreateAwaiter(Type returnType)
    {
        if (returnType == typeof(Task))
        {
            return static async t => { await ((Task)t).ConfigureAwait(false); return null; };
        }

        if (returnType == typeof(ValueTask))
        {
            return static async t => { await ((ValueTask)t).ConfigureAwait(false); return null; };
        }

        if (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            var name = returnType.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(AwaitTask) : nameof(AwaitValueTask);
            var method = typeof(TaskDefinition).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(returnType.GetGenericArguments()[0]);
            return method.CreateDelegate<Func<object, Task<object?>>>();
        }

        return null;
    }

    private static async Task<object?> AwaitTask<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async Task<object?> AwaitValueTask<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);
}
