using System.Diagnostics;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>Waits for conditions with a deadline, so a broken behaviour fails the test fast instead of hanging it.</summary>
public static class Wait
{
    /// <summary>How long any single wait in these tests may take before it counts as a failure.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"Waited {Deadline.TotalSeconds}s for: {what}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Awaits a task, failing with <paramref name="what"/> at the deadline.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Deadline);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Waited {Deadline.TotalSeconds}s for: {what}", ex);
        }
    }

    /// <summary>Awaits a task, failing with <paramref name="what"/> at the deadline.</summary>
    public static async Task ForAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Deadline);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Waited {Deadline.TotalSeconds}s for: {what}", ex);
        }
    }
}
