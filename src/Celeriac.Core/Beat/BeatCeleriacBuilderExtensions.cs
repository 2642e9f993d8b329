using Celeriac.Core.Beat;
using Celeriac.Core.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the periodic-task scheduler (<c>celeriac beat</c>) to Celeriac.</summary>
public static class BeatCeleriacBuilderExtensions
{
    /// <summary>
    /// Runs the beat scheduler in this host. Without a shared lease (<c>UseSqliteSchedulerLease</c>) the lease lives in
    /// this process, which is right for one beat only.
    /// </summary>
    public static CeleriacBuilder AddBeat(this CeleriacBuilder builder, Action<BeatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<BeatOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BeatOptions>, BeatOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ISchedulerLease, InMemorySchedulerLease>();
        builder.Services.TryAddSingleton<BeatScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BeatScheduler>());
        return builder;
    }

    /// <summary>Adds an entry to the beat schedule (Celery's <c>beat_schedule</c>).</summary>
    public static CeleriacBuilder AddPeriodicTask(this CeleriacBuilder builder, PeriodicTask task)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(task);
        builder.Services.Configure<BeatOptions>(o => o.Tasks.Add(task));
        return builder;
    }
}
