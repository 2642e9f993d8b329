using Celeriac.Functions.Dashboard;
using Celeriac.Functions.Execution;
using Celeriac.Functions.Records;
using Celeriac.RabbitMQ;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The same core as `celeriac serve`: the task registry with the demo tasks, the processor the worker runs
// deliveries through, confirmed publishing of results and events, the record store and the HTTP API.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// The trigger's connection setting also tells the app where to publish results, events and new tasks.
var brokerUrl = builder.Configuration[ExecuteTaskFunction.ConnectionSetting] ?? RabbitMqOptions.DefaultUrl;
builder.Services
    .AddCeleriac()
    .AddDemoTasks()
    .UseRabbitMq(o => o.Url = brokerUrl)
    .UseDurableTaskStore()
    .AddWorker(o =>
    {
        o.Hostname = $"celeriac-functions@{Environment.MachineName}";
        o.Queues = [ExecuteTaskFunction.Queue];
        // An invocation never waits for a task's ETA: a task due later goes back to the broker until it is due.
        o.EtaHoldLimit = TimeSpan.Zero;
    })
    // The trigger delivers the tasks; the node still answers remote control (revoke with terminate, ping, inspect)
    // and sends heartbeats, so Python's control API and the monitors see it as a worker.
    .AddControlListener()
    .AddHttpApi();

builder.Services.AddHostedService<WarmShutdown>();
builder.Services.AddFunctionsDashboard();
builder.Services.AddSingleton<Celeriac.Functions.Http.OpenApiDocumentSource>();

// The record store's Durable client comes from the functions' [DurableClient] bindings.
builder.Services.AddSingleton<BoundDurableClients>();
builder.Services.AddSingleton<IDurableTaskClientProvider>(sp => sp.GetRequiredService<BoundDurableClients>());

await builder.Build().RunAsync();
