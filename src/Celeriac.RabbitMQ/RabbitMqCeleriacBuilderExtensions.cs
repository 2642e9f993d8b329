using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Transport;
using Celeriac.RabbitMQ;
using Celeriac.RabbitMQ.Client;
using Celeriac.RabbitMQ.Connection;
using Celeriac.RabbitMQ.Deferral;
using Celeriac.RabbitMQ.Events;
using Celeriac.RabbitMQ.Publishing;
using Celeriac.RabbitMQ.Worker;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the RabbitMQ transport to Celeriac.</summary>
public static class RabbitMqCeleriacBuilderExtensions
{
    /// <summary>The sub-section of <c>AddCeleriac(configuration)</c>'s section the broker options bind from.</summary>
    public const string ConfigurationSection = "RabbitMq";

    /// <summary>
    /// Uses RabbitMQ as the broker: confirmed publishing, the parking queue, the .NET client
    /// (<see cref="CeleryClient"/>) and the event receiver. With <c>AddCeleriac(configuration)</c> the options are bound
    /// from its <c>RabbitMq</c> sub-section first; they are validated when the host starts.
    /// </summary>
    public static CeleriacBuilder UseRabbitMq(this CeleriacBuilder builder, Action<RabbitMqOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<RabbitMqOptions>();
        if (builder.Configuration is { } configuration)
        {
            // Before the delegate, so options set in code win over Celeriac:RabbitMq.
            options.Bind(configuration.GetSection(ConfigurationSection));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        var services = builder.Services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RabbitMqOptions>, RabbitMqOptionsValidator>());
        services.TryAddSingleton<RabbitMqConnection>();
        services.TryAddSingleton<RabbitMqPublisher>();
        services.TryAddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<RabbitMqPublisher>());
        services.TryAddSingleton<IParkingLot, RabbitMqParkingLot>();
        services.TryAddSingleton<ITaskDeferral, RabbitMqTaskDeferral>();
        services.TryAddSingleton<CeleryClient>();
        services.TryAddSingleton(sp => sp.GetRequiredService<CeleryClient>().Control);
        services.TryAddSingleton<CeleryEventReceiver>();
        services.TryAddSingleton<RpcResultRecorder>();
        services.TryAddSingleton<ITaskBroker, RabbitMqTaskBroker>();
        services.TryAddSingleton<Celeriac.Core.Control.IWorkerTaskQuery, RabbitMqWorkerTaskQuery>();
        return builder;
    }

    /// <summary>
    /// Runs a worker in this host that consumes its queues (<see cref="Celeriac.Core.Execution.WorkerOptions.Queues"/>)
    /// and the node's control queue: the standalone worker. Adds the worker (<c>AddWorker</c>) if it was not added.
    /// The host's own shutdown timeout (30 s by default) must exceed
    /// <see cref="Celeriac.Core.Execution.WorkerOptions.ShutdownTimeout"/> (20 s by default) for running tasks to get
    /// their full grace period.
    /// </summary>
    public static CeleriacBuilder AddQueueConsumer(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddControlListener();
        // The consumer and the pool answer add_consumer, cancel_consumer, active_queues, pool_grow and pool_shrink.
        builder.Services.TryAddSingleton<RabbitMqTaskQueueConsumer>();
        builder.Services.TryAddSingleton<Celeriac.Core.Control.ITaskQueueConsumer>(sp => sp.GetRequiredService<RabbitMqTaskQueueConsumer>());
        builder.Services.TryAddSingleton<Celeriac.Core.Control.IWorkerPool, RabbitMqWorkerPool>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(CeleryWorkerService)))
        {
            builder.Services.AddSingleton<CeleryWorkerService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CeleryWorkerService>());
        }

        return builder;
    }

    /// <summary>
    /// Makes this host a worker node that answers remote control (ping, revoke with terminate, inspect) and sends
    /// heartbeats, without consuming task queues: for hosts whose tasks arrive otherwise (an Azure Functions
    /// trigger). Adds the worker (<c>AddWorker</c>) if it was not added.
    /// </summary>
    public static CeleriacBuilder AddControlListener(this CeleriacBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddWorker();
        if (!builder.Services.Any(d => d.ServiceType == typeof(CeleryControlListener)))
        {
            // Registered before the queue consumer, so it stops after it: worker-offline comes after the warm shutdown.
            builder.Services.AddSingleton<CeleryControlListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CeleryControlListener>());
        }

        return builder;
    }
}
