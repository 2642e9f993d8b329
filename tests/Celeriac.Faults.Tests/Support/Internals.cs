using System.Text.RegularExpressions;
using Celeriac.Testing;

namespace Celeriac.Faults.Tests.Support;

/// <summary>What an answer must never show a client: .NET stack frames, source file positions, the build machine's paths.</summary>
public static partial class Internals
{
    /// <summary>What leaked (a short name), or null when nothing did.</summary>
    public static string? Leaked(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SourcePosition().IsMatch(text))
        {
            return "a source file and line";
        }

        if (text.Contains(TestEnvironment.RepositoryRoot, StringComparison.Ordinal))
        {
            return "the repository's path";
        }

        return StackFrame().IsMatch(text) ? "a stack frame" : null;
    }

    [GeneratedRegex(@"\.cs:line \d+", RegexOptions.CultureInvariant)]
    private static partial Regex SourcePosition();

    [GeneratedRegex(@"(^|\\n|\n)\s*at [A-Za-z_][\w.`<>+]*\.[\w<>`]+\(", RegexOptions.CultureInvariant)]
    private static partial Regex StackFrame();
}
