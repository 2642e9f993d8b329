using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Core.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.Tests.DependencyInjection;

public sealed class CeleriacServiceCollectionExtensionsTests
{
    [Fact]
    public void AddCeleriac_Defaults_UseTheSystemClockAndDurableRevokes()
    {
        var services = new ServiceCollection().AddCeleriac().Services;

        Assert.Equal(typeof(FileRevokedTasks), services.Last(d => d.ServiceType == typeof(IRevokedTasks)).ImplementationType);
        Assert.Same(TimeProvider.System, services.Single(d => d.ServiceType == typeof(TimeProvider)).ImplementationInstance);
    }

    [Fact]
    public void AddCeleriac_PartsRegisteredBefore_AreKept()
    {
        var time = new FakeTimeProvider();
        var collection = new ServiceCollection().AddSingleton<TimeProvider>(time);

        collection.AddCeleriac();
        collection.AddCeleriac();

        using var services = collection.BuildServiceProvider();
        Assert.Same(time, services.GetRequiredService<TimeProvider>());
        Assert.Equal([typeof(RpcResultObserver), typeof(EventPublishingObserver)],
            collection.Where(d => d.ServiceType == typeof(ITaskObserver)).Select(d => d.ImplementationType));
    }

    [Fact]
    public void UseInMemoryRevokes_ReplacesTheDurableStore()
    {
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider()).AddCeleriac().UseInMemoryRevokes().Services.BuildServiceProvider();

        Assert.IsType<InMemoryRevokedTasks>(services.GetRequiredService<IRevokedTasks>());
    }

    [Theory]
    [InlineData("", 1, 4, "Hostname must not be empty.")]
    [InlineData("w1@vm", 0, 4, "Concurrency must be at least 1 (was 0).")]
    [InlineData("w1@vm", 1, -1, "PrefetchMultiplier must be 0 (unlimited) or more (was -1).")]
    public void AddCeleriac_InvalidWorkerOptions_AreRejectedWithAReason(string hostname, int concurrency, int prefetch, string expected)
    {
        using var services = new ServiceCollection()
            .AddCeleriac(o => (o.Hostname, o.Concurrency, o.PrefetchMultiplier) = (hostname, concurrency, prefetch)).Services.BuildServiceProvider();

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
}
