using System.Diagnostics;
using System.Globalization;
using Celeriac.Benchmarks.Peers;

// The .NET peers of ./bench.sh, each mode a process of its own (the suite times and measures them):
//   mt-load URL COUNT            send COUNT no-op messages to queue bench-mt (persistent, confirmed), responses to bench.results
//   mt-work URL COUNT C respond WARMUP   consume them, C at a time (prefetch 4 x C); respond=true answers each one (a result)
//   hangfire-load pg|sqlite CONNECTION COUNT
//   hangfire-work pg|sqlite CONNECTION COUNT C WARMUP
// A worker prints "peer ready" once it consumes and, after COUNT messages, one JSON line with its own timing of the
// messages after the first WARMUP.
var mode = args.ElementAtOrDefault(0);
return mode switch
{
    "mt-load" => await MassTransitPeer.LoadAsync(args[1], Int(args[2])),
    "mt-work" => await MassTransitPeer.WorkAsync(args[1], new Meter(Int(args[2]), Int(args[5])), Int(args[3]), args[4] == "true"),
    "hangfire-load" => HangfirePeer.Load(args[1], args[2], Int(args[3])),
    "hangfire-work" => HangfirePeer.Work(args[1], args[2], new Meter(Int(args[3]), Int(args[5])), Int(args[4])),
    _ => Usage(),
};

static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: Celeriac.Benchmarks.Peers mt-load|mt-work|hangfire-load|hangfire-work ...");
    return 2;
}

namespace Celeriac.Benchmarks.Peers
{
    /// <summary>Counts finished messages; times and measures the process from the end of the warm-up (or the 10th percentile) to the last.</summary>
    internal sealed class Meter(int count, int warmup)
    {
        private readonly int _first = warmup > 0 && warmup < count ? warmup : Math.Max(1, count / 10);

        public int Count => count;
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _finished;
        private long _startedAt;
        private TimeSpan _startedCpu;
        private long _endedAt;
        private TimeSpan _endedCpu;

        public Task Done => _done.Task;

        public void Finished()
        {
            var n = Interlocked.Increment(ref _finished);
            if (n == _first)
            {
                _startedAt = Stopwatch.GetTimestamp();
                _startedCpu = Process.GetCurrentProcess().TotalProcessorTime;
            }
            else if (n == count)
            {
                _endedAt = Stopwatch.GetTimestamp();
                _endedCpu = Process.GetCurrentProcess().TotalProcessorTime;
                _done.TrySetResult();
            }
        }

        public void Print()
        {
            var tasks = count - _first;
            var seconds = Stopwatch.GetElapsedTime(_startedAt, _endedAt).TotalSeconds;
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $$"""{"tasks": {{count}}, "tasks_per_s": {{tasks / seconds:0.0}}, "cpu_ms_per_task": {{(_endedCpu - _startedCpu).TotalMilliseconds / tasks:0.000}}, "peak_rss_mib": {{process.PeakWorkingSet64 / 1048576.0:0.0}}}"""));
        }
    }
}
