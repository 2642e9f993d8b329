using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Config;

namespace Celeriac.DurableTask.Testing;

/// <summary>WebJobs indexes exactly <see cref="DurableFunctions"/> (a test host's entry assembly is the test runner).</summary>
internal sealed class DurableFunctionsTypeLocator : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => [typeof(DurableFunctions)];
}

/// <summary>Creates <see cref="DurableFunctions"/> over its host's state.</summary>
internal sealed class DurableFunctionsActivator(DurableHostState state) : IJobActivator
{
    public T CreateInstance<T>() => typeof(T) == typeof(DurableFunctions)
        ? (T)(object)new DurableFunctions(state)
        : throw new InvalidOperationException($"Only {nameof(DurableFunctions)} runs in this host, not {typeof(T).Name}.");
}

/// <summary>
/// The extension builds management URLs from the host's webhook base; a Functions host provides one, a plain WebJobs
/// host does not (the [DurableClient] binding then fails). Nothing listens there: the tests use gRPC only.
/// </summary>
#pragma warning disable CS0618 // IWebHookProvider is marked "not ready for public consumption"; the extension needs one.
internal sealed class LoopbackWebHookProvider : IWebHookProvider
#pragma warning restore CS0618
{
    public Uri GetUrl(IExtensionConfigProvider extension) => new("http://127.0.0.1:7071/runtime/webhooks/durabletask");
}
