using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Celeriac.Dashboard.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Dashboard.Tests.Broker;

/// <summary>The throughput chart and the <c>/metrics</c> counters go on after a restart of the server instead of starting at zero.</summary>
public sealed partial class MetricsRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LogRelay _log = new();

    public Task InitializeAsync()
    {
        _log.Attach(output.WriteLine);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _log.Detach();
        return Task.CompletedTask;
    }

    [Fact(Timeout = 180_000)]
    public async Task Restart_Server_KeepsCountersAndThroughput()
    {
        await using var server = await DashboardServer.StartAsync("dashboard-metrics", _log);
        await using (var python = await PythonClient.StartAsync(server.VirtualHost, output.WriteLine))
        {
            for (var i = 0; i < 3; i++)
            {
                var id = await python.DelayAsync(i, 1);
                await python.GetAsync(id, TimeSpan.FromSeconds(30));
            }
        }

        double before = 0;
        using (var http = server.Process.CreateClient())
        {
            await Eventually.WaitAsync(async () =>
            {
                before = Succeeded(await http.GetStringAsync("metrics"));
                return before >= 3;
            }, TimeSpan.FromSeconds(30), "3 succeeded tasks.add counted in /metrics");
            Assert.True(Throughput(await http.GetFromJsonAsync<JsonElement>("dashboard/api/stats")) > 0, "the chart shows the tasks before the restart");
        }

        await server.StopAsync();
        await server.StartAsync();

        using var again = server.Process.CreateClient();
        Assert.Equal(before, Succeeded(await again.GetStringAsync("metrics")));
        var chart = Throughput(await again.GetFromJsonAsync<JsonElement>("dashboard/api/stats"));
        Assert.True(chart >= 3.0 / 5, $"after the restart the chart shows the 3 tasks from before (tasks per second summed over 5 s buckets: {chart})");
    }

    private static double Succeeded(string metrics) =>
        SucceededLine().Match(metrics) is { Success: true } match ? double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static double Throughput(JsonElement stats) =>
        stats.GetProperty("throughput").GetProperty("succeeded").EnumerateArray().Sum(x => x.GetDouble());

    [GeneratedRegex("""^celeriac_task_events_total\{name="tasks.add",state="SUCCESS"\} (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex SucceededLine();
}
