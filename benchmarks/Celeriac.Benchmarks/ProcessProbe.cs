using System.Globalization;

namespace Celeriac.Benchmarks;

/// <summary>CPU time and resident memory of a process and its descendants, read from /proc.</summary>
internal static class ProcessProbe
{
    private static readonly double s_ticksPerSecond = 100.0; // USER_HZ on Linux.

    /// <summary>The process and every descendant still alive.</summary>
    public static List<int> Tree(int root)
    {
        var all = new List<int> { root };
        for (var i = 0; i < all.Count; i++)
        {
            foreach (var task in SafeDirectories($"/proc/{all[i]}/task"))
            {
                var children = SafeRead(Path.Combine(task, "children"));
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(child, CultureInfo.InvariantCulture, out var pid) && !all.Contains(pid))
                    {
                        all.Add(pid);
                    }
                }
            }
        }

        return all;
    }

    /// <summary>User plus system CPU seconds of the tree (live processes, plus children they already reaped).</summary>
    public static double CpuSeconds(int root)
    {
        double ticks = 0;
        foreach (var pid in Tree(root))
        {
            var stat = SafeRead($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            if (end < 0)
            {
                continue;
            }

            var fields = stat[(end + 2)..].Split(' ');
            // utime, stime, cutime, cstime are fields 14-17 (1-based); after "pid (comm) " they start at index 11.
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / s_ticksPerSecond;
    }

    /// <summary>Sum of the tree's resident set sizes now (VmRSS), in MiB.</summary>
    public static double RssMiB(int root) => Tree(root).Sum(pid => StatusKiB(pid, "VmRSS:")) / 1024.0;

    /// <summary>Sum of the tree's peak resident set sizes (VmHWM), in MiB.</summary>
    public static double PeakRssMiB(int root) => Tree(root).Sum(pid => StatusKiB(pid, "VmHWM:")) / 1024.0;

    private static long StatusKiB(int pid, string key)
    {
        foreach (var line in SafeRead($"/proc/{pid}/status").Split('\n'))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
