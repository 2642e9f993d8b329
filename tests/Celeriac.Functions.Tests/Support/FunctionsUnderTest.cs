using Celeriac.Core.Transport;
using Celeriac.Functions.Execution;
using Celeriac.Functions.Http;
using Celeriac.Functions.Records;
using Grpc.Net.Client;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Functions.Tests.Support;

/// <summary>
/// The Functions app's function classes on the core Program.cs registers (the demo tasks, the worker, the HTTP API),
/// with fakes only at the seams: the record store (<see cref="SwitchableTaskStore"/>) and the broker
/// (<see cref="RecordingBroker"/>). The <c>[DurableClient]</c> the functions get is the SDK's own gRPC client, never
/// called: the store here is not the Durable one.
/// </summary>
public sealed class FunctionsUnderTest : IAsyncDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress("http://127.0.0.1:9");

    private FunctionsUnderTest(ServiceProvider services)
    {
        Services = services;
        Client = new GrpcDurableTaskClient("unit", new GrpcDurableTaskClientOptions { Channel = _channel }, NullLogger.Instance);
    }

    public ServiceProvider Services { get; }

    public SwitchableTaskStore Store => Services.GetRequiredService<SwitchableTaskStore>();

    public RecordingBroker Broker => Services.GetRequiredService<RecordingBroker>();

    /// <summary>What a <c>[DurableClient]</c> binding hands the functions.</summary>
    public DurableTaskClient Client { get; }

    /// <summary>The client the record store would use: the one the last function handed in.</summary>
    internal BoundDurableClients Clients => Services.GetRequiredService<BoundDurableClients>();

    internal ExecuteTaskFunction Execute => Services.GetRequiredService<ExecuteTaskFunction>();

    internal TaskHttpFunctions Http => Services.GetRequiredService<TaskHttpFunctions>();

    internal OpenApiFunction OpenApi => Services.GetRequiredService<OpenApiFunction>();

    public static FunctionsUnderTest Create(ITestOutputHelper output)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new OutputLoggerProvider(output)));
        services.AddSingleton<RecordingBroker>();
        services.AddSingleton<ITaskBroker>(sp => sp.GetRequiredService<RecordingBroker>());
        services.AddSingleton<IMessagePublisher>(sp => sp.GetRequiredService<RecordingBroker>());
        services.AddSingleton<IParkingLot>(sp => sp.GetRequiredService<RecordingBroker>());
        services.AddSingleton<ITaskDeferral>(sp => sp.GetRequiredService<RecordingBroker>());
        services.AddSingleton<SwitchableTaskStore>();
        // As Program.cs registers the core, with the store and the broker replaced. (Not validated on build: the HTTP API
        // registers the OpenAPI generator, whose services need a web host that only OpenApiDocumentSource starts.)
        services.AddCeleriac()
            .AddDemoTasks(TimeSpan.Zero)
            .UseTaskStore(sp => sp.GetRequiredService<SwitchableTaskStore>())
            .AddWorker(o =>
            {
                o.Hostname = "celeriac-functions@unit";
                o.Queues = [ExecuteTaskFunction.Queue];
                o.EtaHoldLimit = TimeSpan.Zero;
            })
            .UseInMemoryRevokes()
            .AddHttpApi();
        services.AddSingleton<BoundDurableClients>();
        services.AddSingleton<OpenApiDocumentSource>();
        services.AddSingleton<ExecuteTaskFunction>();
        services.AddSingleton<TaskHttpFunctions>();
        services.AddSingleton<OpenApiFunction>();
        return new FunctionsUnderTest(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _channel.Dispose();
    }

    private sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class OutputLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetBaseException().Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test is over.
            }
        }
    }
}
