using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Dashboard.Live;

/// <summary>The pages' server-sent event stream.</summary>
internal static class StreamHandler
{
    // Server-sent events: 'tasks', 'stats' and 'workers' as they happen, a comment every 15 s to keep proxies from closing it.
    // Ends when the page goes or the host stops: an open page must not hold up a shutdown.
    internal static async Task Stream(HttpContext http, LiveHub hub, IHostApplicationLifetime lifetime)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = hub.Subscribe();
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ending.Token;
        try
        {
            await response.WriteAsync("retry: 2000\n: connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                idle.CancelAfter(TimeSpan.FromSeconds(15));
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscription.Reader.TryRead(out var message))
                {
                    await response.WriteAsync($"event: {message.Event}\ndata: {message.Data}\n\n", aborted);
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away, or the host stops (the page's EventSource reconnects to the next one).
        }

    }
}
