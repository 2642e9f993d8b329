using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Events;
using Celeriac.RabbitMQ.Publishing;
using Celeriac.RabbitMQ.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the RabbitMQ transport to Celeriac.</summary>
public static class RabbitMqCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses RabbitMQ as the broker: confirmed publishing, the parking queue, the .NET client
    /// (<see cref="CeleryClient"/>) and the event receiver.
    /// </summary>
    public static CeleriacBuilder UseRabbitMq(this CeleriacBuilder builder, Action<RabbitMqOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RabbitMqOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => Uri.TryCreate(o.Url, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps",
            "The broker URL must be an absolute amqp:// or amqps:// URL.").ValidateOnStart();

        var services = builder.Services;
        services.TryAddSingleton<RabbitMqConnection>();
        services.TryAddSingleton<RabbitMqPublisher>();
        services.TryAddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<RabbitMqPublisher>());
        services.TryAddSingleton<IParkingLot, RabbitMqParkingLot>();
        services.TryAddSingleton<CeleryClient>();
        services.TryAddSingleton(sp => sp.GetRequiredService<CeleryClient>().Control);
        services.TryAddSingleton<CeleryEventReceiver>();
        services.TryAddSingleton<ITaskBroker, RabbitMqTaskBroker>();
        return builder;
    }

    /// <summary>
    /// Runs a worker in this host: it consumes the configured queues and the node's control queue. The host's
    /// own shutdown timeout (30 s by default) must exceed <see cref="Celeriac.Core.Execution.WorkerOptions.ShutdownTimeout"/>
    /// (20 s by default) for running tasks to get their full grace period.
    /// </summary>
    public static CeleriacBuilder AddWorker(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<CeleryWorkerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CeleryWorkerService>());
        return builder;
    }
}
