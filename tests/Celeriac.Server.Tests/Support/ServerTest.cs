using System.Net;

namespace Celeriac.Server.Tests.Support;

/// <summary>
/// A test class over a shared server: routes the server's output to the running test, and stops the long tasks a test
/// started (even when it failed half way), so the next test finds the worker idle.
/// </summary>
public abstract class ServerTest<TFixture> : IAsyncLifetime
    where TFixture : ServerFixture
{
    private readonly List<string> _longTasks = [];

    protected ServerTest(TFixture fixture, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Fixture = fixture;
        Output = output;
        fixture.Log.Attach(output.WriteLine);
    }

    protected TFixture Fixture { get; }

    protected ITestOutputHelper Output { get; }

    protected TaskApiClient Api => Fixture.Api;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var id in _longTasks)
            {
                if ((await Api.RevokeAsync(id, terminate: true)).Status == HttpStatusCode.Accepted)
                {
                    await Api.WaitForFinalAsync(id);
                }
            }
        }
        finally
        {
            Fixture.Log.Detach();
        }
    }

    /// <summary>Sends <c>tasks.sleep(30)</c> through the API and waits until it runs: it holds the only worker slot until terminated.</summary>
    protected async Task<string> StartLongSleepAsync()
    {
        var id = await SendLongSleepAsync();
        await Api.WaitForStateAsync(id, "STARTED");
        return id;
    }

    /// <summary>Sends <c>tasks.sleep(30)</c>, which the test's end terminates if nothing else did.</summary>
    protected async Task<string> SendLongSleepAsync()
    {
        var id = await Api.SendAsync("tasks.sleep", """{"args": [30]}""");
        _longTasks.Add(id);
        return id;
    }
}
