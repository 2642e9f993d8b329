using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ.Worker;
using Celeriac.Server.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Benchmarks;

/// <summary>
/// A Celeriac worker hosted by the benchmark, for what the <c>celeriac worker</c> command cannot switch off: task
/// records (the CLI always keeps them). With <c>--profile</c> every observer and publish is timed (wall time of each
/// await) and the totals are printed when the worker stops: a stopwatch per stage without touching the processor.
/// </summary>
internal static class BenchWorker
{
    public static async Task<int> RunAsync(string url, int concurrency, int prefetchMultiplier, bool records, bool events, string dataDirectory, string? profile)
    {
        var builder = Host.CreateApplicationBuilder();
        // The logging of `celeriac worker --loglevel info`.
        builder.Logging.UseCeleryConsole(LogLevel.Information);
        var celeriac = builder.Services
            .AddCeleriac()
            .ConfigureEvents(o => o.SendTaskEvents = events)
            .AddTask("tasks.noop", static () => { })
            .UseRabbitMq(o => o.Url = url);
        if (records)
        {
            // The store wires its own record observer, as in `celeriac worker`.
            celeriac.UseSqliteStore(o => o.FilePath = Path.Combine(dataDirectory, "tasks.db"));
        }

        celeriac
            .AddWorker(o =>
            {
                o.Concurrency = concurrency;
                o.Hostname = $"bench@{Environment.MachineName}";
                o.Queues = ["celery"];
                o.PrefetchMultiplier = prefetchMultiplier;
                o.StateDirectory = dataDirectory;
            })
            .AddQueueConsumer();

        var stages = new StageClock();
        if (profile is not null)
        {
            Instrument(builder.Services, stages);
        }

        using var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<CeleryWorkerService>().Ready;
        Console.WriteLine("bench-worker ready");
        await host.WaitForShutdownAsync();
        if (profile is not null)
        {
            await File.WriteAllTextAsync(profile, stages.Format());
        }

        return 0;
    }

    // Every observer and the publisher wrapped in a timer, keeping their order.
    private static void Instrument(IServiceCollection services, StageClock stages)
    {
        var observers = services.Where(d => d.ServiceType == typeof(ITaskObserver)).ToList();
        foreach (var descriptor in observers)
        {
            services.Remove(descriptor);
            var type = descriptor.ImplementationType!;
            services.Add(ServiceDescriptor.Singleton<ITaskObserver>(sp =>
                new TimedObserver((ITaskObserver)ActivatorUtilities.CreateInstance(sp, type), type.Name, stages)));
        }

        var publisher = services.Single(d => d.ServiceType == typeof(IMessagePublisher));
        services.Remove(publisher);
        services.TryAddSingleton<IMessagePublisher>(sp => new TimedPublisher((IMessagePublisher)publisher.ImplementationFactory!(sp), stages));
    }

    private sealed class TimedObserver(ITaskObserver inner, string name, StageClock stages) : ITaskObserver
    {
        public async ValueTask OnReceivedAsync(TaskMessage message, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.OnReceivedAsync(message, cancellationToken);
            stages.Add($"{name}.received", started);
        }

        public async ValueTask OnStartedAsync(TaskMessage message, DateTimeOffset startedAt, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.OnStartedAsync(message, startedAt, cancellationToken);
            stages.Add($"{name}.started", started);
        }

        public ValueTask OnRetriedAsync(TaskMessage message, TaskRetry retry, CancellationToken cancellationToken) =>
            inner.OnRetriedAsync(message, retry, cancellationToken);

        public async ValueTask OnFinishedAsync(TaskMessage message, TaskOutcome outcome, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.OnFinishedAsync(message, outcome, cancellationToken);
            stages.Add($"{name}.finished", started);
        }
    }

    private sealed class TimedPublisher(IMessagePublisher inner, StageClock stages) : IMessagePublisher
    {
        public async ValueTask PublishAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.PublishAsync(message, cancellationToken);
            stages.Add(message.RequiresConfirmation ? "publish.confirmed" : "publish.unconfirmed", started);
        }
    }

    /// <summary>Count and total wall time per stage.</summary>
    internal sealed class StageClock
    {
        private readonly ConcurrentDictionary<string, StrongBox> _stages = new();

        public void Add(string stage, long startedTimestamp)
        {
            var elapsed = Stopwatch.GetElapsedTime(startedTimestamp).Ticks;
            var box = _stages.GetOrAdd(stage, _ => new StrongBox());
            Interlocked.Increment(ref box.Count);
            Interlocked.Add(ref box.Ticks, elapsed);
        }

        public string Format()
        {
            var text = new System.Text.StringBuilder();
            text.AppendLine("| stage (each await, wall time) | calls | mean ms |");
            text.AppendLine("|---|---:|---:|");
            foreach (var (stage, box) in _stages.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                    $"| {stage} | {box.Count} | {TimeSpan.FromTicks(box.Ticks).TotalMilliseconds / Math.Max(1, box.Count):0.000} |");
            }

            return text.ToString();
        }

        private sealed class StrongBox
        {
            public long Count;
            public long Ticks;
        }
    }
}
