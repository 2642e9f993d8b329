using System.Globalization;
using Celeriac.Core.DependencyInjection;
using Celeriac.Demo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the demo tasks.</summary>
public static class DemoTasksBuilderExtensions
{
    /// <summary>The environment variable with the seconds <c>tasks.add</c> sleeps before it answers.</summary>
    public const string AddSleepVariable = "CELERIAC_DEMO_ADD_SLEEP";

    /// <summary>
    /// The environment variable that, set to <c>1</c>, also registers <c>tasks.crash</c>, which kills the worker process
    /// (<see cref="Environment.FailFast(string)"/>). Only the fault tests set it, to prove a message that crashes the worker
    /// is parked after a bounded number of deliveries.
    /// </summary>
    public const string CrashTaskVariable = "CELERIAC_DEMO_CRASH_TASK";

    /// <summary>
    /// The environment variable that, set to <c>1</c>, also registers <c>tasks.stuck(seconds)</c>, which blocks its thread
    /// that long and ignores its cancellation token. Only the fault tests set it, to prove a task that ignores a terminate or
    /// a hard time limit cannot hold a worker slot for good.
    /// </summary>
    public const string StuckTaskVariable = "CELERIAC_DEMO_STUCK_TASK";

    /// <summary>
    /// Declares <see cref="DemoTasks"/>; <c>tasks.add</c> sleeps <c>CELERIAC_DEMO_ADD_SLEEP</c> seconds (read once, here)
    /// unless <paramref name="addSleep"/> says otherwise.
    /// </summary>
    public static CeleriacBuilder AddDemoTasks(this CeleriacBuilder builder, TimeSpan? addSleep = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sleep = addSleep ?? AddSleepFromEnvironment();
        builder.Services.Configure<DemoTaskOptions>(o => o.AddSleep = sleep);
        if (Environment.GetEnvironmentVariable(CrashTaskVariable) == "1")
        {
            builder.AddTask("tasks.crash", static () => Environment.FailFast("tasks.crash: killing the worker process on purpose (CELERIAC_DEMO_CRASH_TASK=1)"));
        }

        if (Environment.GetEnvironmentVariable(StuckTaskVariable) == "1")
        {
            builder.AddTask("tasks.stuck", static (double seconds) =>
            {
                // Deliberately uncooperative: no token, a blocking sleep.
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
                return seconds;
            });
        }

        return builder.AddTasks<DemoTasks>();
    }

    private static TimeSpan AddSleepFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable(AddSleepVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
}
