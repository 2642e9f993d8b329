using System.CommandLine;
using Celeriac.Core.Events.Monitoring;
using Celeriac.RabbitMQ.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Server.Commands;

/// <summary>
/// <c>celeriac events</c>: prints every task state change as a Celery events monitor does,
/// <c>Status: STARTED[tasks.add] &lt;id&gt; {...}</c>, from Celery and Celeriac workers, without Python.
/// </summary>
internal static class EventsCommand
{
    private static readonly Option<bool> s_dump = new("--dump")
    {
        Description = "Print every raw event as JSON (worker heartbeats included) instead of task status lines.",
    };

    public static Command Create()
    {
        var command = new Command("events", "Print task state changes as they happen.") { s_dump };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await using var services = ClientServices.Build(parse);
        var receiver = services.GetRequiredService<CeleryEventReceiver>();
        await using var subscription = await receiver.SubscribeAsync(cancellationToken: cancellationToken);
        var dump = parse.GetValue(s_dump);
        Console.Error.WriteLine("Listening for events. Press Ctrl-C to stop.");
        var state = new EventMonitorState();
        await foreach (var @event in subscription.ReadAllAsync(cancellationToken))
        {
            if (dump)
            {
                Console.Out.WriteLine(@event.GetRawText());
            }
            else if (state.Apply(@event) is { } task)
            {
                Console.Out.WriteLine(task.FormatStatusLine());
            }
        }

        return 0;
    }
}
