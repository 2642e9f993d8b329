using System.Text.Json;
using Celeriac.Testing;
using Microsoft.Playwright;

namespace Celeriac.Dashboard.Tests.Support;

/// <summary>A test in the browser against the shared server: its output goes to the test, long tasks are terminated at its end.</summary>
public abstract class DashboardTest : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<string> _longTasks = [];
    private PythonClient? _python;

    protected DashboardTest(SharedServer shared, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(shared);
        Shared = shared;
        Output = output;
        shared.Log.Attach(output.WriteLine);
    }

    protected SharedServer Shared { get; }

    protected DashboardServer Server => Shared.Server;

    protected ITestOutputHelper Output { get; }

    protected IPage Page { get; private set; } = null!;

    protected PythonClient Python => _python ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        Page = await Shared.Chromium.NewPageAsync(Output.WriteLine);
        _python = await PythonClient.StartAsync(Server.VirtualHost, Output.WriteLine);
    }

    public async Task DisposeAsync()
    {
        try
        {
            using var http = Server.Process.CreateClient();
            foreach (var id in _longTasks)
            {
                await http.PostAsync($"api/tasks/{id}/revoke?terminate=true", null);
                await WaitForRecordAsync(id, r => r.GetProperty("final").GetBoolean(), "finished");
            }
        }
        finally
        {
            await Page.Context.CloseAsync();
            if (_python is not null)
            {
                await _python.DisposeAsync();
            }

            Shared.Log.Detach();
        }
    }

    /// <summary><c>tasks.sleep(30)</c> from Python, terminated at the test's end if still running.</summary>
    protected async Task<string> SendLongSleepAsync()
    {
        var id = await Python.SendTaskAsync("tasks.sleep", [30]);
        _longTasks.Add(id);
        return id;
    }

    /// <summary>Waits until the HTTP API's record of a task satisfies a condition; returns it.</summary>
    protected async Task<JsonElement> WaitForRecordAsync(string id, Func<JsonElement, bool> condition, string what)
    {
        using var http = Server.Process.CreateClient();
        JsonElement record = default;
        await Eventually.WaitAsync(async () =>
        {
            var response = await http.GetAsync($"api/tasks/{id}");
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            record = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return condition(record);
        }, Patience, $"task {id} {what}");
        return record;
    }

    protected Task<JsonElement> WaitForStateAsync(string id, string state) =>
        WaitForRecordAsync(id, r => r.GetProperty("state").GetString() == state, $"in state {state}");

    /// <summary>Opens a dashboard page and waits until it listens for pushes (the live badge says so).</summary>
    protected async Task OpenAsync(string path = "")
    {
        await Page.GotoAsync(new Uri(Server.Dashboard, path).ToString());
        await Assertions.Expect(Page.Locator("#live")).ToHaveAttributeAsync("data-mode", "live", new() { Timeout = 15_000 });
    }

    protected ILocator Row(string id) => Page.Locator($"#task-rows tr[data-task-id='{id}']");

    protected ILocator Rows => Page.Locator("#task-rows tr[data-task-id]");
}
