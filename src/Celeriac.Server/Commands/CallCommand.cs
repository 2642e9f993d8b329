using System.CommandLine;
using System.Text.Json;
using Celeriac.RabbitMQ.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Server.Commands;

/// <summary><c>celeriac call tasks.add 2 3</c>: sends a task with the .NET client and prints its result.</summary>
internal static class CallCommand
{
    private static readonly Argument<string> s_name = new("name") { Description = "The task name, e.g. tasks.add." };

    private static readonly Argument<string[]> s_args = new("args")
    {
        Description = "Positional arguments, each a JSON value (2, 2.5, true, [1,2]); anything else is a string.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> s_kwargs = new("--kwargs", "-k") { Description = "Keyword arguments as a JSON object." };

    private static readonly Option<string> s_queue = new("--queue", "-Q") { Description = "The queue to send to.", DefaultValueFactory = _ => "celery" };

    private static readonly Option<double?> s_countdown = new("--countdown") { Description = "Run no earlier than this many seconds from now." };

    private static readonly Option<double?> s_expires = new("--expires") { Description = "Revoke it if it has not started within this many seconds." };

    private static readonly Option<bool> s_noWait = new("--no-wait") { Description = "Print the task id and exit without waiting for the result." };

    private static readonly Option<double> s_timeout = new("--timeout") { Description = "Seconds to wait for the result.", DefaultValueFactory = _ => 60 };

    public static Command Create()
    {
        var command = new Command("call", "Send a task and print its result.") { s_name, s_args, s_kwargs, s_queue, s_countdown, s_expires, s_noWait, s_timeout };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        Dictionary<string, object?>? kwargs = null;
        if (parse.GetValue(s_kwargs) is { } kwargsJson)
        {
            try
            {
                kwargs = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(kwargsJson)!.ToDictionary(p => p.Key, p => (object?)p.Value);
            }
            catch (JsonException ex)
            {
                Console.Error.WriteLine($"--kwargs must be a JSON object: {ex.Message}");
                return 2;
            }
        }

        var args = (parse.GetValue(s_args) ?? []).Select(ParseArgument).ToArray();
        await using var services = ClientServices.Build(parse);
        var client = services.GetRequiredService<CeleryClient>();
        var now = DateTimeOffset.UtcNow;
        var options = new SendOptions
        {
            Queue = parse.GetValue(s_queue)!,
            Countdown = parse.GetValue(s_countdown) is { } countdown ? TimeSpan.FromSeconds(countdown) : null,
            Expires = parse.GetValue(s_expires) is { } expires ? now.AddSeconds(expires) : null,
        };
        var result = await client.SendAsync(parse.GetValue(s_name)!, args, kwargs, options, cancellationToken);
        Console.Out.WriteLine(result.Id);
        if (parse.GetValue(s_noWait))
        {
            return 0;
        }

        try
        {
            var value = await result.GetAsync(TimeSpan.FromSeconds(parse.GetValue(s_timeout)), cancellationToken);
            Console.Out.WriteLine(value.GetRawText());
            return 0;
        }
        catch (TaskRevokedException ex)
        {
            Console.Error.WriteLine($"REVOKED: {ex.Reason}");
            return 1;
        }
        catch (TaskFailedException ex)
        {
            Console.Error.WriteLine($"FAILURE: {ex.Message}");
            if (ex.RemoteTraceback is { } traceback)
            {
                Console.Error.WriteLine(traceback);
            }

            return 1;
        }
        catch (TimeoutException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 3;
        }
    }

    private static object? ParseArgument(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return text;
        }
    }
}
