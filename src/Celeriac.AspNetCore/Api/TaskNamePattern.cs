namespace Celeriac.AspNetCore.Api;

/// <summary>A task name or a pattern of one: <c>*</c> stands for any run of characters (dots too), <c>?</c> for one.</summary>
internal static class TaskNamePattern
{
    /// <summary>True when <paramref name="name"/> matches <paramref name="pattern"/> (ordinal, case-sensitive as task names are).</summary>
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        // Iterative glob match with one backtrack point: linear in practice, never exponential on hostile names.
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]) && pattern[p] != '*')
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>True when <paramref name="pattern"/> holds a wildcard.</summary>
    public static bool IsPattern(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;
}
