namespace Celeriac.Core.Execution;

/// <summary>
/// The traceback text a failed task reports: the exception's full .NET text (type, message, stack trace,
/// inner exceptions) without the reflection frames every invocation goes through, which say nothing about
/// the failure.
/// </summary>
internal static class TaskTraceback
{
    public static string Format(Exception exception)
    {
        var lines = exception.ToString().Split('\n');
        return string.Join('\n', lines.Where(line => !IsInvocationNoise(line.TrimStart())));
    }

    private static bool IsInvocationNoise(string frame) =>
        frame.StartsWith("at System.Reflection.", StringComparison.Ordinal)
        || frame.StartsWith("at InvokeStub_", StringComparison.Ordinal);
}
