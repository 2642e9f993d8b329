using Celeriac.Core.Records;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.DurableTask.Tests;

/// <summary>UseDurableTaskStore as an application wires it, in a real container.</summary>
public sealed class DurableTaskCeleriacBuilderExtensionsTests
{
    [Fact]
    public void UseDurableTaskStore_WithAClientProvider_ResolvesTheEntityStoreAsTheTaskStore()
    {
        using var services = Build(o => o.KeyPrefix = "app1:");

        var store = services.GetRequiredService<ITaskStore>();

        var entityStore = Assert.IsType<DurableTaskStore>(store);
        Assert.Same(entityStore, services.GetRequiredService<DurableTaskStore>());
        Assert.Equal("@taskrecord@app1:t1", entityStore.EntityId("t1").ToString());
    }

    [Fact]
    public void UseDurableTaskStore_AfterAnotherStore_ReplacesIt()
    {
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IDurableTaskClientProvider, NoClients>();
        collection.AddCeleriac().UseInMemoryStore().UseDurableTaskStore();
        using var services = collection.BuildServiceProvider();

        Assert.IsType<DurableTaskStore>(services.GetRequiredService<ITaskStore>());
        Assert.Single(collection, d => d.ServiceType == typeof(ITaskStore));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(DurableTaskStoreOptions.MaxQueryPageSize + 1)]
    public void UseDurableTaskStore_PageSizeOutOfRange_FailsValidationSayingWhy(int pageSize)
    {
        using var services = Build(o => o.QueryPageSize = pageSize);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DurableTaskStoreOptions>>().Value);
        Assert.Contains("QueryPageSize must be between 1 and 1000", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Action<DurableTaskStoreOptions> configure)
    {
        var collection = new ServiceCollection().AddLogging();
        collection.AddSingleton<IDurableTaskClientProvider, NoClients>();
        collection.AddCeleriac().UseDurableTaskStore(configure);
        return collection.BuildServiceProvider();
    }

    /// <summary>Resolving the store must not talk to the backend: no client is ever asked for here.</summary>
    private sealed class NoClients : IDurableTaskClientProvider
    {
        public DurableTaskClient GetClient(string? name = null) => throw new InvalidOperationException("No backend in this test.");
    }
}
