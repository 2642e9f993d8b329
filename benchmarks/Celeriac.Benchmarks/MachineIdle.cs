using System.Globalization;

namespace Celeriac.Benchmarks;

/// <summary>
/// Waits, before a measurement, until the machine has stopped working on the one before: the broker deleting a virtual
/// host full of messages, PostgreSQL vacuuming or writing back after Hangfire, a worker's process still exiting. On two
/// cores any of them takes a measurable share from whatever runs next, and every durable write (a confirm, a commit)
/// waits behind a disk that is still busy, most of all in the latency steps.
/// </summary>
internal static class MachineIdle
{
    private const double QuietShare = 0.15;
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Returns once the cores and every disk were at most 15% busy for a second, or after 30 s, saying then what kept them
    /// busy. Does nothing where there is no <c>/proc/stat</c>.
    /// </summary>
    public static async Task WaitAsync(string before, Action<string> say)
    {
        if (!File.Exists("/proc/stat"))
        {
            return;
        }

        var started = DateTime.UtcNow;
        var processes = ProcessTimes();
        var (busy, total) = CpuTimes();
        var disks = DiskBusyMilliseconds();
        while (true)
        {
            var windowStarted = DateTime.UtcNow;
            await Task.Delay(s_window);
            var (busyNow, totalNow) = CpuTimes();
            var disksNow = DiskBusyMilliseconds();
            var share = totalNow > total ? (double)(busyNow - busy) / (totalNow - total) : 0;
            var windowMs = (DateTime.UtcNow - windowStarted).TotalMilliseconds;
            var (disk, diskShare) = ("-", 0.0);
            foreach (var (name, ms) in disksNow)
            {
                if ((ms - disks.GetValueOrDefault(name, ms)) / windowMs is var busyShare && busyShare > diskShare)
                {
                    (disk, diskShare) = (name, busyShare);
                }
            }

            if (share <= QuietShare && diskShare <= QuietShare)
            {
                var waited = DateTime.UtcNow - started;
                if (waited > 2 * s_window)
                {
                    say(string.Create(CultureInfo.InvariantCulture, $"machine quiet after {waited.TotalSeconds:0} s, before {before}"));
                }

                return;
            }

            if (DateTime.UtcNow - started >= s_limit)
            {
                var now = ProcessTimes();
                var busiest = now.Select(p => (p.Key, Ticks: p.Value.Ticks - (processes.TryGetValue(p.Key, out var then) ? then.Ticks : 0), p.Value.Name))
                    .OrderByDescending(p => p.Ticks).Take(4)
                    .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} ({p.Key}) {p.Ticks / (double)ClockTicksPerSecond / (DateTime.UtcNow - started).TotalSeconds:P0}"));
                say(string.Create(CultureInfo.InvariantCulture,
                    $"machine still busy after {s_limit.TotalSeconds:0} s, before {before}: cores {share:P0} ({string.Join(", ", busiest)}), disk {disk} {diskShare:P0}"));
                return;
            }

            (busy, total, disks) = (busyNow, totalNow, disksNow);
        }
    }

    // USER_HZ: 100 on every Linux the benchmark runs on.
    private const long ClockTicksPerSecond = 100;

    // The "cpu" line: user nice system idle iowait irq softirq steal ...; busy is all but idle and iowait.
    private static (long Busy, long Total) CpuTimes()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }

    // Milliseconds each disk (not its partitions, not loop or RAM devices) has spent doing I/O: /proc/diskstats' io_ticks.
    private static Dictionary<string, double> DiskBusyMilliseconds()
    {
        var disks = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!File.Exists("/proc/diskstats"))
        {
            return disks;
        }

        foreach (var line in File.ReadLines("/proc/diskstats"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 12 && Directory.Exists($"/sys/block/{fields[2]}") && !fields[2].StartsWith("loop", StringComparison.Ordinal)
                && !fields[2].StartsWith("ram", StringComparison.Ordinal) && !fields[2].StartsWith("zram", StringComparison.Ordinal))
            {
                disks[fields[2]] = double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }

        return disks;
    }

    private static Dictionary<int, (string Name, long Ticks)> ProcessTimes()
    {
        var times = new Dictionary<int, (string, long)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // pid (comm) state ... utime stime: fields 14 and 15, counted after the closing parenthesis of comm.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                var rest = stat[(close + 2)..].Split(' ');
                times[pid] = (name, long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return times;
    }
}
