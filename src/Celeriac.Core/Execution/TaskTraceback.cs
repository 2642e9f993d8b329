using System.Text.RegularExpressions;

namespace Celeriac.Core.Execution;

/// <summary>
/// The traceback text a failed task reports: the exception's full .NET text (type, message, stack trace,
/// inner exceptions) without the reflection frames every invocation goes through, which say nothing about
/// the failure; then cut to the worker's <see cref="TracebackDetail"/>.
/// </summary>
internal static partial class TaskTraceback
{
    public static string Format(Exception exception)
    {
        var lines = exception.ToString().Split('\n');
        return string.Join('\n', lines.Where(line => !IsInvocationNoise(line.TrimStart())));
    }

    /// <summary>The outcome with its traceback cut to <paramref name="detail"/>.</summary>
    public static TaskOutcome WithDetail(TaskOutcome outcome, TracebackDetail detail) => outcome.Traceback is not { } traceback || detail == TracebackDetail.Full
        ? outcome
        : outcome with { Traceback = detail == TracebackDetail.None ? null : SourcePath().Replace(traceback, "") };

    private static bool IsInvocationNoise(string frame) =>
        frame.StartsWith("at System.Reflection.", StringComparison.Ordinal)
        || frame.StartsWith("at InvokeStub_", StringComparison.Ordinal);

    // "   at Shop.Orders.Charge(Order order) in /src/Shop/Orders.cs:line 42": the frame stays, its file and line go.
    [GeneratedRegex(@"(?<=^\s*at .*\)) in .*?:line \d+(?=\r?$)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SourcePath();
}
