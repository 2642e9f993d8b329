using System.Diagnostics;
using System.Text.Json;
using Celeriac.Core.Protocol;
using Celeriac.Core.States;
using Celeriac.RabbitMQ.Client;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Celeriac.Benchmarks;

/// <summary>How a drain run knows a task is done.</summary>
internal enum Completion
{
    /// <summary>A Celery result (rpc://) in the plain result queue, decoded and checked: SUCCESS, an expected id, once.</summary>
    CeleryResult,

    /// <summary>A MassTransit response in the plain result queue, its requestId checked.</summary>
    MassTransitResponse,

    /// <summary>The worker times itself and prints one JSON line (peers without a result to collect).</summary>
    SelfReported,
}

/// <summary>One worker configuration of the drain benchmark.</summary>
/// <param name="Key">Short id (vhost names, JSON).</param>
/// <param name="Label">What the table says.</param>
/// <param name="Start">Starts the worker for a virtual host's URL, a private data folder and a log file.</param>
/// <param name="ReadyMarker">A line the worker prints once it consumes.</param>
/// <param name="Completion">How a finished task is recognised.</param>
internal sealed record DrainScenario(string Key, string Label, Func<string, string, string, WorkerProcess> Start, string ReadyMarker,
    Completion Completion = Completion.CeleryResult);

/// <summary>What one drain run measured.</summary>
internal sealed record DrainSample(string Key, int Run, int Tasks, double TasksPerSecond, double CpuMsPerTask, double PeakRssMiB, double? EnqueuePerSecond = null,
    double? BrokerCpuMsPerTask = null);

/// <summary>
/// Drain runs: a pre-loaded queue, then the worker starts and empties it. Timed by the results arriving (or by the
/// worker itself) from the moment the first <paramref name="warmup"/> tasks are done to the last, so start-up and a
/// JIT compiler's warm-up are out of the window (a long-running worker's steady state is what is measured); the
/// worker's CPU (its whole process tree) is read from /proc at the same two moments.
/// </summary>
/// <param name="broker">The benchmark's broker.</param>
/// <param name="workDirectory">Where runs keep their data and logs.</param>
/// <param name="warmup">Tasks at the head of every load that are run but not timed (0: the first 10%).</param>
internal sealed class Drain(Broker broker, string workDirectory, int warmup)
{
    private const string TaskQueue = "celery";
    private const string ResultQueue = "bench.results";
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);

    /// <summary>Sends <paramref name="count"/> tasks with Celery's Python client once and keeps the messages, to publish again per run.</summary>
    public async Task<IReadOnlyList<CapturedMessage>> CaptureCeleryLoadAsync(string python, string pythonDirectory, int count)
    {
        var vhost = $"capture-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        try
        {
            var info = new ProcessStartInfo(python) { WorkingDirectory = pythonDirectory, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add("bench_preload.py");
            info.ArgumentList.Add(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            info.Environment["CELERY_BROKER_URL"] = broker.Url(vhost);
            using (var process = Process.Start(info)!)
            {
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"bench_preload.py failed ({process.ExitCode})");
                }
            }

            await using var connection = await broker.ConnectAsync(vhost, "capture");
            await using var channel = await connection.CreateChannelAsync();
            var captured = new List<CapturedMessage>(count);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) =>
            {
                lock (captured)
                {
                    captured.Add(new CapturedMessage(e.Body.ToArray(), new BasicProperties(e.BasicProperties)));
                    if (captured.Count == count)
                    {
                        done.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(TaskQueue, autoAck: true, consumer);
            try
            {
                await done.Task.WaitAsync(s_timeout);
            }
            catch (TimeoutException)
            {
                int got;
                lock (captured)
                {
                    got = captured.Count;
                }

                throw new InvalidOperationException($"bench_preload.py sent {count} tasks; {got} reached the broker in {s_timeout.TotalMinutes} minutes");
            }

            return captured;
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
        }
    }

    /// <summary>Publishes the captured load into a fresh virtual host, starts the worker and times the drain.</summary>
    public async Task<DrainSample> RunAsync(DrainScenario scenario, int run, IReadOnlyList<CapturedMessage> load)
    {
        var vhost = $"{scenario.Key}-{run}-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var dataDirectory = Path.Combine(workDirectory, vhost);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var connection = await broker.ConnectAsync(vhost, "bench-driver");
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.ExchangeDeclareAsync(TaskQueue, ExchangeType.Direct, durable: true, autoDelete: false);
            await channel.QueueDeclareAsync(TaskQueue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(TaskQueue, TaskQueue, TaskQueue);
            await Broker.DeclareSinksAsync(channel, ResultQueue);
            await PublishAsync(channel, load);

            var expected = load.Select(m => m.Properties.CorrelationId!).ToHashSet(StringComparer.Ordinal);
            var window = new Window(load.Count, warmup);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, e) =>
            {
                window.Arrived(Check(scenario.Completion, e.Body.Span, expected));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(ResultQueue, autoAck: true, consumer);

            await using var worker = scenario.Start(broker.Url(vhost), dataDirectory, Path.Combine(workDirectory, vhost + ".log"));
            return await TimeAsync(window, worker, scenario.Key, run, broker.ProcessId);
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
            TryDelete(dataDirectory);
        }
    }

    /// <summary>The same drain with the load sent by Celeriac's .NET client, which also collects every result on its reply queue.</summary>
    public async Task<DrainSample> RunWithDotNetClientAsync(DrainScenario scenario, int run, int count)
    {
        var vhost = $"{scenario.Key}-net-{run}-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var dataDirectory = Path.Combine(workDirectory, vhost);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using (var connection = await broker.ConnectAsync(vhost, "bench-driver"))
            await using (var channel = await connection.CreateChannelAsync())
            {
                await Broker.DeclareSinksAsync(channel, ResultQueue);
            }

            await using var client = CeleryClient.Create(broker.Url(vhost));
            await client.SendAsync("tasks.noop");   // the queue, the reply queue and the connection, outside the timing
            var handles = new AsyncResult[count];
            var sending = Stopwatch.StartNew();
            using (var inFlight = new SemaphoreSlim(256))
            {
                var sends = new Task[count];
                for (var i = 0; i < count; i++)
                {
                    await inFlight.WaitAsync();
                    var index = i;
                    sends[i] = Task.Run(async () =>
                    {
                        try
                        {
                            handles[index] = await client.SendAsync("tasks.noop");
                        }
                        finally
                        {
                            inFlight.Release();
                        }
                    });
                }

                await Task.WhenAll(sends);
            }

            var enqueuePerSecond = count / sending.Elapsed.TotalSeconds;
            var window = new Window(count, warmup);
            foreach (var handle in handles)
            {
                _ = handle.GetAsync(s_timeout).ContinueWith(t => window.Arrived(t.IsCompletedSuccessfully), TaskScheduler.Default);
            }

            await using var worker = scenario.Start(broker.Url(vhost), dataDirectory, Path.Combine(workDirectory, vhost + ".log"));
            var sample = await TimeAsync(window, worker, scenario.Key, run);
            return sample with { EnqueuePerSecond = enqueuePerSecond };
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
            TryDelete(dataDirectory);
        }
    }

    /// <summary>A peer that loads its own queue (<paramref name="load"/>), then a worker that times itself or answers to the result queue.</summary>
    public async Task<DrainSample> RunPeerAsync(DrainScenario scenario, int run, int count, Func<string, string, Task> load)
    {
        var vhost = $"{scenario.Key}-{run}-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var dataDirectory = Path.Combine(workDirectory, vhost);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using var connection = await broker.ConnectAsync(vhost, "bench-driver");
            await using var channel = await connection.CreateChannelAsync();
            // Durable, as MassTransit declares the queue of a queue: address when it first answers to it.
            await channel.QueueDeclareAsync(ResultQueue, durable: true, exclusive: false, autoDelete: false);
            await load(broker.Url(vhost), dataDirectory);
            var window = new Window(count, warmup);
            if (scenario.Completion == Completion.MassTransitResponse)
            {
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, e) =>
                {
                    window.Arrived(Check(Completion.MassTransitResponse, e.Body.Span, null));
                    return Task.CompletedTask;
                };
                await channel.BasicConsumeAsync(ResultQueue, autoAck: true, consumer);
            }

            await using var worker = scenario.Start(broker.Url(vhost), dataDirectory, Path.Combine(workDirectory, vhost + ".log"));
            if (scenario.Completion == Completion.SelfReported)
            {
                if (!await worker.WaitExitAsync(s_timeout))
                {
                    throw new TimeoutException($"{scenario.Key} did not finish within {s_timeout}");
                }

                var line = worker.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                return new DrainSample(scenario.Key, run, count, root.GetProperty("tasks_per_s").GetDouble(), root.GetProperty("cpu_ms_per_task").GetDouble(),
                    root.GetProperty("peak_rss_mib").GetDouble());
            }

            return await TimeAsync(window, worker, scenario.Key, run);
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
            TryDelete(dataDirectory);
        }
    }

    /// <summary>Resident memory of the worker at rest: started on an empty virtual host, read 3 s after it is ready.</summary>
    public async Task<double> IdleRssAsync(DrainScenario scenario)
    {
        var vhost = $"{scenario.Key}-idle-{Guid.NewGuid():N}";
        await broker.CreateVhostAsync(vhost);
        var dataDirectory = Path.Combine(workDirectory, vhost);
        Directory.CreateDirectory(dataDirectory);
        try
        {
            await using (var connection = await broker.ConnectAsync(vhost, "bench-driver"))
            await using (var channel = await connection.CreateChannelAsync())
            {
                await Broker.DeclareSinksAsync(channel, ResultQueue);
            }

            await using var worker = scenario.Start(broker.Url(vhost), dataDirectory, Path.Combine(workDirectory, vhost + ".log"));
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(3));
            return ProcessProbe.RssMiB(worker.Pid);
        }
        finally
        {
            await broker.DeleteVhostAsync(vhost);
            TryDelete(dataDirectory);
        }
    }

    private static async Task PublishAsync(IChannel channel, IReadOnlyList<CapturedMessage> load)
    {
        const int batch = 500;
        for (var start = 0; start < load.Count; start += batch)
        {
            var publishes = new List<Task>(batch);
            for (var i = start; i < Math.Min(load.Count, start + batch); i++)
            {
                var properties = load[i].ToProperties();
                properties.DeliveryMode = DeliveryModes.Persistent;
                publishes.Add(channel.BasicPublishAsync("", TaskQueue, mandatory: false, properties, load[i].Body).AsTask());
            }

            await Task.WhenAll(publishes);
        }
    }

    private static bool Check(Completion completion, ReadOnlySpan<byte> body, HashSet<string>? expected)
    {
        try
        {
            if (completion == Completion.CeleryResult)
            {
                var result = TaskResult.Decode(body.ToArray());
                bool fresh;
                lock (expected!)
                {
                    fresh = expected.Remove(result.TaskId);
                }

                return result.State == TaskState.Success && fresh;
            }

            using var json = JsonDocument.Parse(body.ToArray());
            return json.RootElement.TryGetProperty("requestId", out var id) && id.ValueKind == JsonValueKind.String;
        }
        catch (Exception ex) when (ex is MessageDecodeException or JsonException)
        {
            return false;
        }
    }

    // Reads the worker's CPU (and the broker's) from now on, waits for it to be ready and for the window's last result; a
    // timeout says what the worker last wrote.
    private static async Task<DrainSample> TimeAsync(Window window, WorkerProcess worker, string key, int run, int? brokerPid = null)
    {
        window.Watch(worker.Pid, brokerPid);
        await worker.WaitReadyAsync(TimeSpan.FromSeconds(60));
        try
        {
            return await window.ResultAsync(key, run, s_timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; the worker's last lines:\n{worker.Tail}", ex);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still hold a file for a moment; the work folder goes at the end anyway.
        }
    }

    /// <summary>Counts arrivals and notes time and worker CPU when the warm-up is done and at the last.</summary>
    private sealed class Window(int count, int warmup)
    {
        private readonly int _first = warmup > 0 && warmup < count ? warmup : Math.Max(1, count / 10);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;
        private int _failed;
        private int _pid;
        private int? _brokerPid;
        private double _startedBrokerCpu;
        private double _endedBrokerCpu;
        private long _startedAt;
        private double _startedCpu;
        private long _endedAt;
        private double _endedCpu;
        private double _peak;

        /// <summary>Measures the worker's process tree, and the broker's when its process is known.</summary>
        public void Watch(int pid, int? brokerPid = null)
        {
            _pid = pid;
            _brokerPid = brokerPid;
        }

        public void Arrived(bool ok)
        {
            if (!ok)
            {
                Interlocked.Increment(ref _failed);
                _done.TrySetException(new InvalidOperationException("a result failed its check (wrong state, unknown or repeated task id)"));
                return;
            }

            var n = Interlocked.Increment(ref _arrived);
            if (n == _first)
            {
                _startedAt = Stopwatch.GetTimestamp();
                _startedCpu = ProcessProbe.CpuSeconds(_pid);
                _startedBrokerCpu = _brokerPid is { } broker ? ProcessProbe.CpuSeconds(broker) : 0;
            }
            else if (n == count)
            {
                _endedAt = Stopwatch.GetTimestamp();
                _endedCpu = ProcessProbe.CpuSeconds(_pid);
                _endedBrokerCpu = _brokerPid is { } broker ? ProcessProbe.CpuSeconds(broker) : 0;
                _peak = ProcessProbe.PeakRssMiB(_pid);
                _done.TrySetResult();
            }
        }

        public async Task<DrainSample> ResultAsync(string key, int run, TimeSpan timeout)
        {
            try
            {
                await _done.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{key}: {_arrived} of {count} results within {timeout}");
            }

            var tasks = count - _first;
            var seconds = Stopwatch.GetElapsedTime(_startedAt, _endedAt).TotalSeconds;
            return new DrainSample(key, run, count, tasks / seconds, (_endedCpu - _startedCpu) * 1000 / tasks, _peak,
                BrokerCpuMsPerTask: _brokerPid is null ? null : (_endedBrokerCpu - _startedBrokerCpu) * 1000 / tasks);
        }
    }
}
