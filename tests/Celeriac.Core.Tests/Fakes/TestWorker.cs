using Celeriac.Core.Control;
using Celeriac.Core.DependencyInjection;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tasks;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>
/// Celeriac.Core wired as an application wires it (<c>AddCeleriac</c> on a real container), with the
/// transport seams and the clock replaced by fakes that share one <see cref="EventLog"/>.
/// </summary>
public sealed class TestWorker : IAsyncDisposable
{
    /// <summary>The node name of the golden captures' worker.</summary>
    public const string Hostname = "w1@vm";

    /// <summary>The golden captures' rpc:// reply queue.</summary>
    public const string ReplyTo = "94d13c29-7d38-35e4-a1b1-f2f1e9b5ad08";

    private TestWorker(ServiceProvider services, EventLog log, FakeTimeProvider time, RecordingPublisher publisher, RecordingParkingLot parkingLot,
        RecordingDeferral deferral)
    {
        Deferral = deferral;
        Services = services;
        Log = log;
        Time = time;
        Publisher = publisher;
        ParkingLot = parkingLot;
    }

    public ServiceProvider Services { get; }

    public EventLog Log { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>What the worker logged.</summary>
    public TestOutputLoggerProvider Logged { get; private init; } = null!;

    public RecordingPublisher Publisher { get; }

    public RecordingParkingLot ParkingLot { get; }

    public RecordingDeferral Deferral { get; }

    public TaskProcessor Processor => Services.GetRequiredService<TaskProcessor>();

    public WorkerLifecycle Lifecycle => Services.GetRequiredService<WorkerLifecycle>();

    public ControlDispatcher Control => Services.GetRequiredService<ControlDispatcher>();

    public WorkerState State => Services.GetRequiredService<WorkerState>();

    public IRevokedTasks Revoked => Services.GetRequiredService<IRevokedTasks>();

    public EventDispatcher Events => Services.GetRequiredService<EventDispatcher>();

    public WorkerHeartbeat Heartbeat => Services.GetRequiredService<WorkerHeartbeat>();

    public LamportClock Clock => Services.GetRequiredService<LamportClock>();

    public TaskRegistry Registry => Services.GetRequiredService<TaskRegistry>();

    /// <summary>Builds a worker named <see cref="Hostname"/> with in-memory revokes and the given tasks.</summary>
    public static TestWorker Create(ITestOutputHelper output, Action<CeleriacBuilder>? tasks = null, Action<WorkerOptions>? options = null,
        Action<IServiceCollection>? services = null)
    {
        var log = new EventLog();
        var time = new FakeTimeProvider();
        var publisher = new RecordingPublisher(log);
        var parkingLot = new RecordingParkingLot(log);

        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        var logger = new TestOutputLoggerProvider(output);
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logger));
        collection.AddSingleton<IMessagePublisher>(publisher);
        collection.AddSingleton<IParkingLot>(parkingLot);
        var deferral = new RecordingDeferral(log);
        collection.AddSingleton<ITaskDeferral>(deferral);
        var builder = collection.AddCeleriac().AddWorker(o =>
        {
            o.Hostname = Hostname;
            o.Concurrency = 4;
            // Redelivery counts go to a folder of this test's, never the user's state directory.
            o.StateDirectory = Path.Combine(Path.GetTempPath(), "celeriac-test-state", Guid.NewGuid().ToString("N"));
            options?.Invoke(o);
        }).UseInMemoryRevokes()
            // Unbuffered task events: each is published before the processor goes on, so a test can assert the order of
            // events, records and acks. Buffering has its own tests (EventDispatcherTests).
            .ConfigureEvents(e => e.MaxTaskEventsPerMessage = 1);
        tasks?.Invoke(builder);
        services?.Invoke(collection);
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new TestWorker(provider, log, time, publisher, parkingLot, deferral) { Logged = logger };
    }

    /// <summary>Wraps a message as a delivery from the <c>celery</c> queue with a recording handle.</summary>
    public Delivery Deliver(TransportMessage message, bool redelivered = false) => new()
    {
        Message = message,
        Handle = new RecordingDeliveryHandle(Log),
        Queue = "celery",
        RoutingKey = "celery",
        Redelivered = redelivered,
    };

    /// <summary>Processes a delivery to the end; fails the test if that takes longer than <see cref="Wait.Deadline"/>.</summary>
    public Task ProcessAsync(Delivery delivery) => Wait.ForAsync(Processor.ProcessAsync(delivery, default).AsTask(), "the delivery to be processed");

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>Access to the recording handle of a delivery made by <see cref="TestWorker.Deliver"/>.</summary>
public static class DeliveryExtensions
{
    public static RecordingDeliveryHandle Recorded(this Delivery delivery) => (RecordingDeliveryHandle)delivery.Handle;
}
