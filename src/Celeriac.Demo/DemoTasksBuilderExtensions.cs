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
    /// Declares <see cref="DemoTasks"/>; <c>tasks.add</c> sleeps <c>CELERIAC_DEMO_ADD_SLEEP</c> seconds (read once, here)
    /// unless <paramref name="addSleep"/> says otherwise.
    /// </summary>
    public static CeleriacBuilder AddDemoTasks(this CeleriacBuilder builder, TimeSpan? addSleep = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var sleep = addSleep ?? AddSleepFromEnvironment();
        builder.Services.Configure<DemoTaskOptions>(o => o.AddSleep = sleep);
        return builder.AddTasks<DemoTasks>();
    }

    private static TimeSpan AddSleepFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable(AddSleepVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.Zero;
}
