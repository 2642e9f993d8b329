using System.Globalization;
using System.Numerics;
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
    private static readonly TimeSpan s_longestDelay = TimeSpan.FromDays(49);

    /// <summary>x + y, after sleeping <c>CELERIAC_DEMO_ADD_SLEEP</c> seconds (cancellably). Adds ints as ints and floats as floats, like Python.</summary>
    [CeleryTask("tasks.add")]
    public async Task<JsonElement> Add(JsonElement x, JsonElement y, CancellationToken cancellationToken)
    {
        if (options.Value.AddSleep > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.AddSleep, time, cancellationToken);
        }

        var left = PythonNumber(x);
        var right = PythonNumber(y);
        if (left is null || right is null)
        {
            throw new CeleryException("TypeError", $"unsupported operand type(s) for +: '{PythonType(x)}' and '{PythonType(y)}'");
        }

        // Python's int has no size limit (2**70 + 1 is exact); int + float is a float.
        return left is BigInteger a && right is BigInteger b
            ? CeleryJson.ToElement(a + b)
            : CeleryJson.ToElement(ToFloat(left) + ToFloat(right));
    }

    /// <summary>
    /// Python's <c>sum(numbers)</c>: the total of a list of numbers, an int when every element is one, else a float. The
    /// usual body of a chord, which receives its header's results as one list.
    /// </summary>
    [CeleryTask("tasks.xsum")]
    public static JsonElement XSum(JsonElement numbers)
    {
        if (numbers.ValueKind != JsonValueKind.Array)
        {
            throw new CeleryException("TypeError", $"'{PythonType(numbers)}' object is not iterable");
        }

        object total = BigInteger.Zero;
        foreach (var item in numbers.EnumerateArray())
        {
            total = (total, PythonNumber(item)) switch
            {
                (BigInteger a, BigInteger b) => a + b,
                (_, { } number) => ToFloat(total) + ToFloat(number),
                _ => throw new CeleryException("TypeError", $"unsupported operand type(s) for +: '{PythonType(CeleryJson.ToElement(total))}' and '{PythonType(item)}'"),
            };
        }

        return CeleryJson.ToElement(total);
    }

    /// <summary>Sleeps (cancellably) and returns the seconds slept; refuses what Python's <c>time.sleep</c> refuses.</summary>
    [CeleryTask("tasks.sleep")]
    public async Task<double> Sleep(double seconds, CancellationToken cancellationToken)
    {
        if (double.IsNaN(seconds))
        {
            throw new CeleryException("ValueError", "Invalid value NaN (not a number)");
        }

        if (seconds < 0)
        {
            // TimeSpan.FromSeconds(-0.001) is Timeout.InfiniteTimeSpan: without this check the task never returned.
            throw new CeleryException("ValueError", "sleep length must be non-negative");
        }

        if (seconds > TimeSpan.MaxValue.TotalSeconds)
        {
            throw new CeleryException("OverflowError", "timestamp too large to convert to C _PyTime_t");
        }

        // Task.Delay takes at most about 49 days at a time.
        for (var left = TimeSpan.FromSeconds(seconds); left > TimeSpan.Zero; left -= s_longestDelay)
        {
            await Task.Delay(left < s_longestDelay ? left : s_longestDelay, time, cancellationToken);
        }

        return seconds;
    }

    /// <summary>Always fails with the given message.</summary>
    [CeleryTask("tasks.fail")]
    public static void Fail(string message) => throw new InvalidOperationException(message);

    /// <summary>
    /// Fails its first <paramref name="failTimes"/> attempts with <see cref="FlakyException"/>, which retries it
    /// automatically (backoff 1 s, 2 s, 4 s with jitter, at most 3 retries), then returns the number of attempts. The
    /// attempt is the message's <c>retries</c>, not state in this process, so it counts the same on every worker.
    /// </summary>
    [CeleryTask("tasks.flaky", AutoRetryFor = [typeof(FlakyException)], RetryBackoff = 1, RetryBackoffMax = 4)]
    public static int Flaky(int failTimes, TaskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var attempt = context.Retries + 1;
        return context.Retries < failTimes
            ? throw new FlakyException(string.Create(CultureInfo.InvariantCulture, $"attempt {attempt} of {failTimes} failing"))
            : attempt;
    }

    /// <summary>Does nothing; returns None.</summary>
    [CeleryTask("tasks.noop")]
    public static void Noop()
    {
    }

    /// <summary>Returns its arguments: <c>{"args": [...], "kwargs": {...}}</c>.</summary>
    [CeleryTask("tasks.echo")]
    public static Dictionary<string, JsonElement> Echo(TaskArguments arguments) =>
        new() { ["args"] = arguments.Positional, ["kwargs"] = arguments.Keyword };

    /// <summary>A JSON value as a Python int (<see cref="BigInteger"/>) or float (<see cref="double"/>, nan and inf included); null for other types.</summary>
    private static object? PythonNumber(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return IsInteger(value)
                ? BigInteger.Parse(value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                : value.GetDouble();
        }

        return value.ValueKind == JsonValueKind.Object && IsFloatMarker(value) ? value.Deserialize<double>(CeleryJson.Options) : null;
    }

    private static double ToFloat(object number) => number switch
    {
        BigInteger integer when (double)integer is var converted && double.IsFinite(converted) => converted,
        BigInteger => throw new CeleryException("OverflowError", "int too large to convert to float"),
        _ => (double)number,
    };

    private static bool IsFloatMarker(JsonElement value)
    {
        try
        {
            _ = value.Deserialize<double>(CeleryJson.Options);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

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
        JsonValueKind.Object => IsFloatMarker(value) ? "float" : "dict",
        _ => "NoneType",
    };
}
