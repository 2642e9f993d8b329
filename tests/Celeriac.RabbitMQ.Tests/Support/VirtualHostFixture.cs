using Celeriac.Testing;

namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>
/// A fresh virtual host for one test class: its own <c>celery</c> queue, exchanges and pidbox, so classes run in
/// parallel without seeing each other's messages. Tests in a class run one after another and leave the queues empty.
/// </summary>
public sealed class VirtualHostFixture : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;

    /// <summary>The class's virtual host.</summary>
    public RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("The virtual host is not created yet.");

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("rmq");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }
    }
}
