using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Waits on a queue's counts from the management API, which the broker refreshes every few seconds.</summary>
public static class QueueWait
{
    /// <summary>Waits until the counts satisfy <paramref name="condition"/>; on timeout the message shows the last counts seen.</summary>
    public static async Task<QueueCounts> ForAsync(RabbitMqVirtualHost virtualHost, string queue, Func<QueueCounts, bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        ArgumentNullException.ThrowIfNull(condition);
        QueueCounts? last = null;
        try
        {
            await Eventually.WaitAsync(async () => (last = await virtualHost.GetQueueCountsAsync(queue)) is { } counts && condition(counts),
                TestTimeouts.Statistics, $"{what} (queue '{queue}')");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last seen: {last?.ToString() ?? "no such queue"}", ex);
        }

        return last!;
    }
}
