using Celeriac.Core.Execution;
using Celeriac.Core.Records;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.DependencyInjection;

public sealed class CeleriacServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("celeriac-di-").FullName;

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    [Fact]
    public void AddCeleriac_Alone_RegistersNoWorkerParts()
    {
        var services = new ServiceCollection().AddCeleriac().Services;

        Assert.Same(TimeProvider.System, services.Single(d => d.ServiceType == typeof(TimeProvider)).ImplementationInstance);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(TaskProcessor));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ITaskObserver));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IRevokedTasks));
    }

    [Fact]
    public void AddWorker_PartsRegisteredBefore_AreKeptAndTwiceAddsNothingTwice()
    {
        var time = new FakeTimeProvider();
        var collection = new ServiceCollection().AddSingleton<TimeProvider>(time);

        collection.AddCeleriac().AddWorker().AddWorker();

        using var services = collection.BuildServiceProvider();
        Assert.Same(time, services.GetRequiredService<TimeProvider>());
        Assert.Equal([typeof(RpcResultObserver), typeof(EventPublishingObserver), typeof(Celeriac.Core.Diagnostics.TaskMetricsObserver)],
            collection.Where(d => d.ServiceType == typeof(ITaskObserver)).Select(d => d.ImplementationType));
        Assert.Single(collection, d => d.ServiceType == typeof(TaskProcessor));
    }

    public static TheoryData<string, Type> RevocationChoices => new()
    {
        { "worker", typeof(FileRevokedTasks) },
        { "worker store", typeof(TaskRecordRevocations) },
        { "store worker", typeof(TaskRecordRevocations) },
        { "worker memory", typeof(InMemoryRevokedTasks) },
        { "memory worker", typeof(InMemoryRevokedTasks) },
        { "memory store worker", typeof(InMemoryRevokedTasks) },
        { "worker store memory", typeof(InMemoryRevokedTasks) },
        { "store memory worker", typeof(InMemoryRevokedTasks) },
    };

    [Theory]
    [MemberData(nameof(RevocationChoices))]
    public void Revocations_AnyOrderOfCalls_AnExplicitChoiceWinsThenTheStoreThenTheFile(string calls, Type expected)
    {
        var builder = NewWorkerCollection().AddCeleriac();
        foreach (var call in calls.Split(' '))
        {
            _ = call switch
            {
                "worker" => builder.AddWorker(o => o.StateDirectory = _stateDirectory),
                "store" => builder.UseInMemoryStore(),
                "memory" => builder.UseInMemoryRevokes(),
                _ => throw new ArgumentException(call),
            };
        }

        using var services = builder.Services.BuildServiceProvider();

        Assert.IsType(expected, services.GetRequiredService<IRevokedTasks>());
    }

    [Fact]
    public void UseTaskStore_AWorkerInTheSameProcess_RecordsWithoutAnotherCall()
    {
        using var services = NewWorkerCollection().AddCeleriac().UseInMemoryStore().AddWorker().Services.BuildServiceProvider();

        Assert.Contains(services.GetServices<ITaskObserver>(), o => o is TaskRecordObserver);
    }

    [Fact]
    public void UseTaskStore_ChosenTwice_TheLastOneIsTheOnlyStore()
    {
        var first = new InMemoryTaskStore();
        var second = new InMemoryTaskStore();
        var collection = NewWorkerCollection();

        collection.AddCeleriac().UseTaskStore(_ => first).UseTaskStore(_ => second);

        using var services = collection.BuildServiceProvider();
        Assert.Same(second, Assert.Single(services.GetServices<ITaskStore>()));
        Assert.Single(collection, d => d.ServiceType == typeof(ITaskObserver));
    }

    [Fact]
    public void AddWorker_WithoutATransport_FailsNamingTheMissingCall()
    {
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider()).AddCeleriac().AddWorker().Services
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("UseRabbitMq", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 1, 4, "WorkerOptions.Hostname (Celeriac:Worker:Hostname) must not be empty.")]
    [InlineData("w1@vm", 0, 4, "WorkerOptions.Concurrency (Celeriac:Worker:Concurrency) must be at least 1 (was 0).")]
    [InlineData("w1@vm", 1, -1, "WorkerOptions.PrefetchMultiplier (Celeriac:Worker:PrefetchMultiplier) must be 0 (unlimited) or more (was -1).")]
    public void AddWorker_InvalidWorkerOptions_AreRejectedWithAReason(string hostname, int concurrency, int prefetch, string expected)
    {
        using var services = NewWorkerCollection()
            .AddCeleriac().AddWorker(o => (o.Hostname, o.Concurrency, o.PrefetchMultiplier) = (hostname, concurrency, prefetch)).Services
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.Contains(expected, error.Failures);
    }

    [Theory]
    [InlineData(4, 4, 16)]
    [InlineData(4, 0, 0)]
    [InlineData(100_000, 4, 65_535)]
    public void PrefetchCount_IsConcurrencyTimesMultiplierCapped(int concurrency, int multiplier, int expected)
    {
        Assert.Equal(expected, new WorkerOptions { Concurrency = concurrency, PrefetchMultiplier = multiplier }.PrefetchCount);
    }

    // A worker's transport, as UseRabbitMq would register it.
    private static ServiceCollection NewWorkerCollection()
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
