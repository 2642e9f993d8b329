using System.CommandLine;
using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Server.Commands;

/// <summary><c>celeriac inspect</c> and <c>celeriac revoke</c>: remote control of Celery and Celeriac workers.</summary>
internal static class ControlCommands
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private static readonly Option<double> s_timeout = new("--timeout", "-t")
    {
        Description = "Seconds to wait for replies.",
        DefaultValueFactory = _ => 1.0,
    };

    public static Command CreateInspect()
    {
        var method = new Argument<string>("method")
        {
            Description = "ping, active, reserved, scheduled, revoked, registered, stats, or any other inspect command.",
        };
        var command = new Command("inspect", "Ask every worker a question and print the answers.") { method, s_timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ClientServices.Build(parse);
            var control = services.GetRequiredService<CeleryControl>();
            var replies = await control.InspectAsync(parse.GetValue(method)!, TimeSpan.FromSeconds(parse.GetValue(s_timeout)), cancellationToken);
            return Print(replies);
        });
        return command;
    }

    public static Command CreateRevoke()
    {
        var ids = new Argument<string[]>("task-id") { Description = "The ids of the tasks to revoke.", Arity = ArgumentArity.OneOrMore };
        var terminate = new Option<bool>("--terminate") { Description = "Also stop the task if it is running." };
        var signal = new Option<string?>("--signal") { Description = "The signal name reported for a terminate (default SIGTERM)." };
        var command = new Command("revoke", "Revoke tasks on every worker and print the workers' replies.") { ids, terminate, signal, s_timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ClientServices.Build(parse);
            var control = services.GetRequiredService<CeleryControl>();
            var replies = await control.BroadcastAsync("revoke",
                new Dictionary<string, object?> { ["task_id"] = parse.GetValue(ids), ["terminate"] = parse.GetValue(terminate), ["signal"] = parse.GetValue(signal) },
                reply: true, TimeSpan.FromSeconds(parse.GetValue(s_timeout)), cancellationToken: cancellationToken);
            return Print(replies);
        });
        return command;
    }

    private static int Print(IReadOnlyDictionary<string, JsonElement> replies)
    {
        if (replies.Count == 0)
        {
            Console.Error.WriteLine("Error: No nodes replied within time constraint.");
            return 1;
        }

        foreach (var (node, reply) in replies.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            Console.Out.WriteLine($"-> {node}: {JsonSerializer.Serialize(reply, s_indented)}");
        }

        return 0;
    }
}
