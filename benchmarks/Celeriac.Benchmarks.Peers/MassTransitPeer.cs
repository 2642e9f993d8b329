using MassTransit;

namespace Celeriac.Benchmarks.Peers;

/// <summary>A no-op message, MassTransit's counterpart of <c>tasks.noop</c>.</summary>
public sealed record NoopMessage(Guid Id);

/// <summary>The answer of the responding consumer: the counterpart of a task's result.</summary>
public sealed record NoopDone(Guid Id);

/// <summary>MassTransit 8 on RabbitMQ: durable queue, persistent messages, publisher confirms (its defaults).</summary>
internal static class MassTransitPeer
{
    private const string Queue = "bench-mt";

    public static async Task<int> LoadAsync(string url, int count)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => Host(cfg, url));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
            var responses = new Uri("queue:bench.results");
            using var inFlight = new SemaphoreSlim(256);
            var sends = new List<Task>(count);
            for (var i = 0; i < count; i++)
            {
                await inFlight.WaitAsync();
                sends.Add(Send());
            }

            await Task.WhenAll(sends);

            async Task Send()
            {
                try
                {
                    await endpoint.Send(new NoopMessage(NewId.NextGuid()), context =>
                    {
                        context.RequestId = NewId.NextGuid();
                        context.ResponseAddress = responses;
                    });
                }
                finally
                {
                    inFlight.Release();
                }
            }
        }
        finally
        {
            await bus.StopAsync();
        }

        return 0;
    }

    public static async Task<int> WorkAsync(string url, Meter meter, int concurrency, bool respond)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            Host(cfg, url);
            cfg.ReceiveEndpoint(Queue, e =>
            {
                e.PrefetchCount = concurrency * 4;
                e.ConcurrentMessageLimit = concurrency;
                e.Handler<NoopMessage>(async context =>
                {
                    if (respond)
                    {
                        await context.RespondAsync(new NoopDone(context.Message.Id));
                    }

                    meter.Finished();
                });
            });
        });
        await bus.StartAsync();
        Console.WriteLine("peer ready");
        await meter.Done;
        meter.Print();
        await bus.StopAsync();
        return 0;
    }

    private static void Host(IRabbitMqBusFactoryConfigurator cfg, string url)
    {
        var uri = new Uri(url);
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        cfg.Host(uri.Host, (ushort)uri.Port, vhost.Length == 0 ? "/" : vhost, h =>
        {
            h.Username("guest");
            h.Password("guest");
        });
    }
}
