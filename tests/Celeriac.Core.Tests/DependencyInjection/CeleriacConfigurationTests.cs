using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.DependencyInjection;

public sealed class CeleriacConfigurationTests
{
    [Fact]
    public void AddCeleriac_ConfigurationSection_BindsWorkerEventsAndRevocation()
    {
        using var services = Build(new()
        {
            ["Celeriac:Worker:Hostname"] = "shop@vm",
            ["Celeriac:Worker:Concurrency"] = "3",
            ["Celeriac:Worker:PrefetchMultiplier"] = "10",
            ["Celeriac:Worker:Queues:0"] = "shop",
            ["Celeriac:Worker:Queues:1"] = "invoices",
            ["Celeriac:Worker:ShutdownTimeout"] = "00:00:05",
            ["Celeriac:Worker:EtaHoldLimit"] = "00:00:00",
            ["Celeriac:Worker:AbandonGrace"] = "00:00:03",
            ["Celeriac:Worker:TrackStarted"] = "true",
            ["Celeriac:Worker:StateDirectory"] = "/var/lib/shop",
            ["Celeriac:Events:SendTaskEvents"] = "false",
            ["Celeriac:Events:HeartbeatInterval"] = "00:00:07",
            ["Celeriac:Events:MaxTaskEventsPerMessage"] = "5",
            ["Celeriac:Revocation:MaxEntries"] = "100",
            ["Celeriac:Revocation:RetainFor"] = "1.00:00:00",
            ["Celeriac:Revocation:Source"] = "InMemory",
        });

        var worker = services.GetRequiredService<IOptions<WorkerOptions>>().Value;
        var events = services.GetRequiredService<IOptions<EventOptions>>().Value;
        var revocation = services.GetRequiredService<IOptions<RevocationOptions>>().Value;

        Assert.Equal(("shop@vm", 3, 10), (worker.Hostname, worker.Concurrency, worker.PrefetchMultiplier));
        Assert.Equal(["shop", "invoices"], worker.Queues);
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.Zero, true, "/var/lib/shop"),
            (worker.ShutdownTimeout, worker.EtaHoldLimit, worker.TrackStarted, worker.StateDirectory));
        Assert.Equal(TimeSpan.FromSeconds(3), worker.AbandonGrace);
        Assert.Equal((false, TimeSpan.FromSeconds(7), 5), (events.SendTaskEvents, events.HeartbeatInterval, events.MaxTaskEventsPerMessage));
        Assert.Equal((100, TimeSpan.FromDays(1), RevocationSource.InMemory), (revocation.MaxEntries, revocation.RetainFor, revocation.Source));
    }

    [Fact]
    public void AddCeleriac_QueuesAsOneCommaSeparatedValue_ReplaceTheDefault()
    {
        using var services = Build(new() { ["Celeriac:Worker:Queues"] = "shop, invoices" });

        Assert.Equal(["shop", "invoices"], services.GetRequiredService<IOptions<WorkerOptions>>().Value.Queues);
    }

    [Fact]
    public void AddCeleriac_SectionWithoutQueues_KeepsTheDefaultQueue()
    {
        using var services = Build(new() { ["Celeriac:Worker:Concurrency"] = "2" });

        Assert.Equal(["celery"], services.GetRequiredService<IOptions<WorkerOptions>>().Value.Queues);
    }

    [Fact]
    public void AddWorker_OptionsSetInCode_WinOverConfiguration()
    {
        var configuration = Configuration(new() { ["Celeriac:Worker:Concurrency"] = "3", ["Celeriac:Worker:Hostname"] = "shop@vm" });
        using var services = WorkerCollection().AddCeleriac(configuration.GetSection("Celeriac"))
            .AddWorker(o => o.Concurrency = 8).Services.BuildServiceProvider();

        var worker = services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal((8, "shop@vm"), (worker.Concurrency, worker.Hostname));
    }

    [Fact]
    public void AddCeleriac_CeleriacEnvironmentVariables_BindThroughDoubleUnderscores()
    {
        // The names a container sets; the default host reads environment variables without a prefix, as here.
        const string concurrency = "CELERIAC__WORKER__CONCURRENCY", queues = "CELERIAC__WORKER__QUEUES";
        Environment.SetEnvironmentVariable(concurrency, "5");
        Environment.SetEnvironmentVariable(queues, "shop,invoices");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            using var services = new ServiceCollection().AddCeleriac(configuration.GetSection("Celeriac")).Services.BuildServiceProvider();

            var worker = services.GetRequiredService<IOptions<WorkerOptions>>().Value;

            Assert.Equal(5, worker.Concurrency);
            Assert.Equal(["shop", "invoices"], worker.Queues);
        }
        finally
        {
            Environment.SetEnvironmentVariable(concurrency, null);
            Environment.SetEnvironmentVariable(queues, null);
        }
    }

    [Fact]
    public void Start_InvalidConfiguredValues_FailsNamingEachKeyAndValue()
    {
        var configuration = Configuration(new()
        {
            ["Celeriac:Worker:Concurrency"] = "0",
            ["Celeriac:Worker:ShutdownTimeout"] = "-00:00:01",
            ["Celeriac:Worker:AbandonGrace"] = "00:00:00",
            ["Celeriac:Events:HeartbeatInterval"] = "00:00:00",
            ["Celeriac:Events:MaxTaskEventsPerMessage"] = "0",
            ["Celeriac:Revocation:MaxEntries"] = "0",
        });
        using var services = WorkerCollection().AddCeleriac(configuration.GetSection("Celeriac")).AddWorker().Services.BuildServiceProvider();

        // What the host runs before it starts any hosted service (ValidateOnStart).
        var error = Assert.Throws<AggregateException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        var failures = error.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures).ToList();

        Assert.Contains("WorkerOptions.Concurrency (Celeriac:Worker:Concurrency) must be at least 1 (was 0).", failures);
        Assert.Contains("WorkerOptions.ShutdownTimeout (Celeriac:Worker:ShutdownTimeout) must not be negative (was -00:00:01).", failures);
        Assert.Contains("WorkerOptions.AbandonGrace (Celeriac:Worker:AbandonGrace) must be more than 0 and at most 01:00:00 (was 00:00:00).", failures);
        Assert.Contains("EventOptions.HeartbeatInterval (Celeriac:Events:HeartbeatInterval) must be positive (was 00:00:00).", failures);
        Assert.Contains("EventOptions.MaxTaskEventsPerMessage (Celeriac:Events:MaxTaskEventsPerMessage) must be from 1 to 1000 (was 0).", failures);
        Assert.Contains("RevocationOptions.MaxEntries (Celeriac:Revocation:MaxEntries) must be at least 1 (was 0).", failures);
    }

    [Fact]
    public void Start_ValidConfiguration_PassesValidation()
    {
        var configuration = Configuration(new() { ["Celeriac:Worker:Concurrency"] = "2" });
        using var services = WorkerCollection().AddCeleriac(configuration.GetSection("Celeriac")).AddWorker().Services.BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(2, services.GetRequiredService<IOptions<WorkerOptions>>().Value.Concurrency);
    }

    [Fact]
    public void AddCeleriac_ValueThatIsNotANumber_FailsNamingTheKey()
    {
        using var services = Build(new() { ["Celeriac:Worker:Concurrency"] = "many" });

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.Contains("Celeriac:Worker:Concurrency", error.Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ServiceProvider Build(Dictionary<string, string?> values) =>
        new ServiceCollection().AddCeleriac(Configuration(values).GetSection("Celeriac")).Services.BuildServiceProvider();

    // A worker's transport, as UseRabbitMq would register it.
    private static ServiceCollection WorkerCollection()
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(new FakeTimeProvider());
        collection.AddLogging();
        var log = new EventLog();
        collection.AddSingleton<IMessagePublisher>(new RecordingPublisher(log));
        collection.AddSingleton<IParkingLot>(new RecordingParkingLot(log));
        collection.AddSingleton<ITaskDeferral>(new RecordingDeferral(log));
        return collection;
    }
}
