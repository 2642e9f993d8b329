using Celeriac.Testing;

namespace Celeriac.Faults.Tests.Support;

/// <summary>
/// The setting of a fault test that starts and breaks its own processes: a fresh virtual host on the test broker, a data
/// folder for the processes' stores, and their log relayed to the test's output; all of it removed afterwards.
/// </summary>
/// <param name="output">The test's output, where the processes' lines go.</param>
/// <param name="name">Names the virtual host (<c>faults-{name}</c>) and the data folder.</param>
public abstract class OwnProcessesFaultTest(ITestOutputHelper output, string name) : IAsyncLifetime
{
    private RabbitMqVirtualHost? _virtualHost;

    /// <summary>The test's output.</summary>
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Relays the processes' lines to the test's output.</summary>
    protected LogRelay Log { get; } = new();

    /// <summary>The processes' data folder (record store, state).</summary>
    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory($"celeriac-fault-{name}-").FullName;

    /// <summary>The test's own virtual host.</summary>
    protected RabbitMqVirtualHost VirtualHost => _virtualHost ?? throw new InvalidOperationException("The virtual host is created in InitializeAsync.");

    public async Task InitializeAsync()
    {
        Log.Attach(Output.WriteLine);
        _virtualHost = await RabbitMqVirtualHost.CreateAsync($"faults-{name}");
    }

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        Log.Detach();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }
}
