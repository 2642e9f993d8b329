using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Execution;
using Celeriac.RabbitMQ.Worker;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// A Celeriac worker hosted in the test process, wired as an application wires it
/// (<c>AddCeleriac().AddTask(...).UseRabbitMq().AddQueueConsumer()</c>) against the test's virtual host. For behaviour
/// of the consumer itself; tests about the process (signals, restarts) use the real command line instead.
/// </summary>
public sealed class InProcessWorker : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private InProcessWorker(IHost host, string hostname)
    {
        _host = host;
        Hostname = hostname;
    }

    /// <summary>The worker's node name.</summary>
    public string Hostname { get; }

    /// <summary>The worker's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts a worker and waits until it consumes. Defaults: a unique node name, concurrency 2, in-memory revokes,
    /// a 5 s shutdown grace period.
    /// </summary>
    public static async Task<InProcessWorker> StartAsync(RabbitMqVirtualHost virtualHost, ITestOutputHelper output, Action<CeleriacBuilder> tasks,
        Action<WorkerOptions>? configure = null, string? hostname = null)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        ArgumentNullException.ThrowIfNull(tasks);
        hostname ??= $"inproc-{Guid.NewGuid().ToString("N")[..6]}@test";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(output, hostname)).SetMinimumLevel(LogLevel.Debug);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var celeriac = builder.Services
            .AddCeleriac()
            .AddWorker(o =>
            {
                o.Hostname = hostname;
                o.Concurrency = 2;
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
                configure?.Invoke(o);
            })
            .UseInMemoryRevokes()
            .UseRabbitMq(o =>
            {
                o.Url = virtualHost.AmqpUrl;
                o.ClientName = hostname;
            });
        tasks(celeriac);
        celeriac.AddQueueConsumer();

        var host = builder.Build();
        try
        {
            using var starting = new CancellationTokenSource(TestTimeouts.Long);
            await host.StartAsync(starting.Token);
            await host.Services.GetRequiredService<CeleryWorkerService>().Ready.WaitAsync(TestTimeouts.Long);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new InProcessWorker(host, hostname);
    }

    /// <summary>Stops the worker as a host stops it (a warm shutdown).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var stopping = new CancellationTokenSource(TestTimeouts.Long);
        await _host.StopAsync(stopping.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}
