using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;

namespace Celeriac.Faults.Tests.Support;

/// <summary>Another .NET process's memory: its resident set from <c>/proc</c>, read after a full GC the test induces.</summary>
public static class ProcessMemory
{
    // The runtime provider's GCHeapCollect keyword: a session that enables it makes the process run a full, blocking GC
    // (what dotnet-gcdump uses).
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>The resident set size (VmRSS) in MB; -1 when the process is gone.</summary>
    public static long RssMegabytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }

    /// <summary>Asks the process for a full GC through its diagnostics port and gives it a moment to finish and return memory.</summary>
    public static async Task CollectAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        using var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword), requestRundown: false);
        var drain = session.EventStream.CopyToAsync(Stream.Null);
        // No event parser here to see the GC end: the caller polls the memory it expects, and collects again if need be.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await session.StopAsync(CancellationToken.None);
        await drain;
    }

    /// <summary>
    /// Collects until the resident set is at most <paramref name="limitMegabytes"/> or <paramref name="timeout"/> passes;
    /// returns the lowest size seen.
    /// </summary>
    public static async Task<long> SettleAsync(int pid, long limitMegabytes, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lowest = long.MaxValue;
        do
        {
            await CollectAsync(pid);
            lowest = Math.Min(lowest, RssMegabytes(pid));
        }
        while (lowest > limitMegabytes && DateTime.UtcNow < deadline);

        return lowest;
    }
}
