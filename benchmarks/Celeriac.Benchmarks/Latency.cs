using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Celeriac.RabbitMQ.Client;
using RabbitMQ.Client;

namespace Celeriac.Benchmarks;

/// <summary>Latency percentiles of one load step.</summary>
internal sealed record LatencySample(string Key, int Run, double Level, double Achieved, double P50Ms, double P99Ms, int Errors);

/// <summary>Enqueue-to-result latency at fixed rates, and the HTTP API's enqueue at fixed concurrency.</summary>
internal static class Latency
{
    /// <summary>
    /// Sends no-op tasks with Celeriac's .NET client at <paramref name="rate"/> per second for <paramref name="duration"/>
    /// (each send on its own schedule, not waiting for the ones before: an open loop), and times each from the send
    /// call to its result arriving on the client's reply queue.
    /// </summary>
    public static Task<LatencySample> FixedRateAsync(CeleryClient client, string key, int run, int rate, TimeSpan duration) =>
        OpenLoopAsync(key, run, rate, duration, async () =>
        {
            var result = await client.SendAsync("tasks.noop");
            await result.GetAsync(TimeSpan.FromSeconds(30));
            return true;
        });

    /// <summary>
    /// <paramref name="concurrency"/> callers each POST <c>/api/tasks/tasks.noop</c> again as soon as the previous answer
    /// (202) arrives, for <paramref name="duration"/>: requests per second and the latency of each.
    /// </summary>
    public static Task<LatencySample> HttpAsync(HttpClient http, string key, int run, int concurrency, TimeSpan duration) =>
        ClosedLoopAsync(key, run, concurrency, duration, async () =>
        {
            using var content = new StringContent("""{"args": [], "kwargs": {}}""", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/tasks/tasks.noop", content);
            return response.StatusCode == HttpStatusCode.Accepted;
        });

    /// <summary>
    /// What every <c>POST</c> waits for, with nothing else: <paramref name="concurrency"/> callers each publish a persistent
    /// message (512 bytes, about a task message's size) to a durable queue on one channel with publisher confirms, and
    /// publish again as soon as the broker confirms it. The broker's own latency for a confirmed message, next to the API's.
    /// </summary>
    public static Task<LatencySample> ConfirmedPublishAsync(IChannel channel, string queue, string key, int run, int concurrency, TimeSpan duration)
    {
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, ContentType = "application/json" };
        var body = new byte[512];
        return ClosedLoopAsync(key, run, concurrency, duration, async () =>
        {
            await channel.BasicPublishAsync("", queue, mandatory: false, properties, body);
            return true;
        });
    }

    // Each caller makes the call again as soon as the previous one returns, for the duration, and times each; a call that
    // answers false is an error.
    private static async Task<LatencySample> ClosedLoopAsync(string key, int run, int concurrency, TimeSpan duration, Func<Task<bool>> call)
    {
        var bag = new List<double>[concurrency];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var mine = bag[c] = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                if (await call())
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(callers);
        var elapsed = clock.Elapsed;
        var all = bag.SelectMany(b => b).Order().ToArray();
        return new LatencySample(key, run, concurrency, all.Length / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    /// <summary>
    /// POSTs <c>/api/tasks/tasks.noop</c> at <paramref name="rate"/> per second for <paramref name="duration"/>, each on its
    /// own schedule (an open loop, like <see cref="FixedRateAsync"/>): the latency of each 202 at a load the server is not
    /// saturated by, where the closed loop of <see cref="HttpAsync"/> measures it at whatever pace the callers reach.
    /// </summary>
    public static Task<LatencySample> HttpFixedRateAsync(HttpClient http, string key, int run, int rate, TimeSpan duration) =>
        OpenLoopAsync(key, run, rate, duration, async () =>
        {
            using var content = new StringContent("""{"args": [], "kwargs": {}}""", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/tasks/tasks.noop", content);
            return response.StatusCode == HttpStatusCode.Accepted;
        });

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Starts one call every 1/rate seconds for the duration, each on its own schedule, never waiting for earlier ones, and
    // times each; a call that throws or answers false is an error.
    private static async Task<LatencySample> OpenLoopAsync(string key, int run, int rate, TimeSpan duration, Func<Task<bool>> call)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var errors = 0;
        var calls = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var wait = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var index = i;
            calls.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var ok = false;
                try
                {
                    ok = await call();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Counted below.
                }

                latencies[index] = ok ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : double.NaN;
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }

        var sent = clock.Elapsed;
        await Task.WhenAll(calls);
        var timed = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        return new LatencySample(key, run, rate, total / sent.TotalSeconds, Percentile(timed, 0.50), Percentile(timed, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
