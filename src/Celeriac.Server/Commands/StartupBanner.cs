using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Tasks;
using Celeriac.RabbitMQ;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Server.Commands;

/// <summary>
/// What a starting worker or server says about itself, as Celery's banner does: version, node, broker (password
/// masked), concurrency and prefetch, queues, where records are kept, events, the HTTP address, and the tasks.
/// </summary>
internal static class StartupBanner
{
    public static void Write(TextWriter output, IServiceProvider services, string role, string dataDirectory, string? httpUrls, bool apiKeys)
    {
        var rabbit = services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        var events = services.GetRequiredService<IOptions<EventOptions>>().Value;
        var worker = services.GetService<IOptions<WorkerOptions>>()?.Value;
        var tasks = services.GetRequiredService<TaskRegistry>().Names;

        output.WriteLine();
        output.WriteLine($"celeriac {WorkerHeartbeat.SoftwareVersion} ({role})");
        if (worker is not null)
        {
            output.WriteLine($"  node:         {worker.Hostname}");
        }

        output.WriteLine($"  broker:       {rabbit.SafeUrl}");
        if (worker is not null)
        {
            var prefetch = worker.PrefetchCount == 0 ? "unlimited" : $"{worker.PrefetchCount} ({worker.Concurrency} x {worker.PrefetchMultiplier})";
            output.WriteLine($"  concurrency:  {worker.Concurrency}, prefetch {prefetch}");
            output.WriteLine($"  queues:       {string.Join(", ", worker.Queues)}");
            output.WriteLine($"  task events:  {(events.SendTaskEvents ? "on" : "off (--without-task-events)")}");
        }

        output.WriteLine($"  records:      SQLite in {dataDirectory}");
        if (httpUrls is not null)
        {
            output.WriteLine($"  http api:     {httpUrls} ({(apiKeys ? "API keys required" : "no API keys: open to whoever can reach it")})");
        }

        output.WriteLine();
        output.WriteLine("[tasks]");
        foreach (var name in tasks)
        {
            output.WriteLine($"  . {name}");
        }

        output.WriteLine();
        output.Flush();
    }
}
