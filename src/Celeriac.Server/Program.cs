using System.CommandLine;
using Celeriac.Server;
using Celeriac.Server.Commands;

// Before anything makes a socket: the runtime reads this setting once.
SocketCompletions.PreferInline();

var serve = ServeCommand.Create();
var root = new RootCommand("Celeriac: Celery-compatible background tasks for .NET. Without a command it runs 'serve'.")
{
    serve,
    WorkerCommand.Create(),
    EventsCommand.Create(),
    CallCommand.Create(),
    ControlCommands.CreateInspect(),
    ControlCommands.CreateRevoke(),
    BeatCommand.Create(),
};
root.Options.Add(CommonOptions.Broker);
root.Options.Add(CommonOptions.LogLevel);
root.Options.Add(CliConfiguration.Config);
foreach (var option in serve.Options)
{
    root.Options.Add(option);
}

root.SetAction(ServeCommand.RunAsync);

// Hosts handle Ctrl-C and SIGTERM themselves (a worker shuts down warmly); the parser must not kill them.
// Failures a person can act on (broker, data directory, port, settings) are one line on stderr, not a stack trace.
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (CliFailure.Describe(ex) is not null)
{
    return CliFailure.Report(ex);
}
