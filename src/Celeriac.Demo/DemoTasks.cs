using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Demo;

/// <summary>
/// The tasks the <c>celeriac</c> server and the Functions app register, with the names a Python <c>tasks.py</c> uses, so the
/// README's walkthrough works from either language.
/// </summary>
public sealed class DemoTasks(IOptions<DemoTaskOptions> options, TimeProvider time)
{
    /// <summary>x + y, after sleeping <c>CELERIAC_DEMO_ADD_SLEEP</c> seconds (cancellably). Adds ints as ints and floats as floats, like Python.</summary>
    [CeleryTask("tasks.add")]
    public async Task<JsonElement> Add(JsonElement x, JsonElement y, CancellationToken cancellationToken)
    {
        if (options.Value.AddSleep > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.AddSleep, time, cancellationToken);
        }

        if (x.ValueKind != JsonValueKind.Number || y.ValueKind != JsonValueKind.Number)
        {
            throw new CeleryException("TypeError", $"unsupported operand type(s) for +: '{PythonType(x)}' and '{PythonType(y)}'");
        }

        return x.TryGetInt64(out var a) && y.TryGetInt64(out var b) && IsInteger(x) && IsInteger(y)
            ? CeleryJson.ToElement(a + b)
            : CeleryJson.ToElement(x.GetDouble() + y.GetDouble());
    }

    /// <summary>Sleeps (cancellably) and returns the seconds slept.</summary>
    [CeleryTask("tasks.sleep")]
    public async Task<double> Sleep(double seconds, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), time, cancellationToken);
        return seconds;
    }

    /// <summary>Always fails with the given message.</summary>
    [CeleryTask("tasks.fail")]
    public static void Fail(string message) => throw new InvalidOperationException(message);

    /// <summary>Does nothing; returns None.</summary>
    [CeleryTask("tasks.noop")]
    public static void Noop()
    {
    }

    /// <summary>Returns its arguments: <c>{"args": [...], "kwargs": {...}}</c>.</summary>
    [CeleryTask("tasks.echo")]
    public static Dictionary<string, JsonElement> Echo(TaskArguments arguments) =>
        new() { ["args"] = arguments.Positional, ["kwargs"] = arguments.Keyword };

    private static bool IsInteger(JsonElement number)
    {
        var raw = number.GetRawText();
        return !raw.Contains('.', StringComparison.Ordinal) && !raw.Contains('e', StringComparison.OrdinalIgnoreCase);
    }

    private static string PythonType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "str",
        JsonValueKind.Number => IsInteger(value) ? "int" : "float",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        _ => "NoneType",
    };
}
