namespace Celeriac.Demo;

/// <summary>Settings of the demo tasks.</summary>
public sealed class DemoTaskOptions
{
    /// <summary>How long <c>tasks.add</c> sleeps before it answers (env <c>CELERIAC_DEMO_ADD_SLEEP</c>, seconds).</summary>
    public TimeSpan AddSleep { get; set; }
}
