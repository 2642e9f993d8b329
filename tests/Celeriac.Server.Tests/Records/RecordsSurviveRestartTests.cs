using System.Net;
using System.Text.Json.Nodes;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Records;

/// <summary>
/// Task records are durable: a <c>celeriac serve</c> stopped with SIGTERM and started again on the same data folder
/// answers for the old tasks exactly as before.
/// </summary>
public sealed class RecordsSurviveRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("celeriac-server-tests-").FullName;
    private RabbitMqVirtualHost? _virtualHost;

    public async Task InitializeAsync() => _virtualHost = await RabbitMqVirtualHost.CreateAsync("server-restart");

    public async Task DisposeAsync()
    {
        if (_virtualHost is not null)
        {
            await _virtualHost.DisposeAsync();
        }

        ServerFixture.TryDelete(_dataDirectory);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Serve_RestartedOnTheSameDataDirectory_AnswersForOldTasksAsBefore()
    {
        var before = new Dictionary<string, ApiAnswer>();
        await using (var first = await CeleriacServerProcess.StartAsync(_virtualHost!, _dataDirectory, output.WriteLine))
        {
            using var http = first.CreateClient();
            var api = new TaskApiClient(http);
            var succeeded = await api.SendAsync("tasks.add", """{"args": [2, 3]}""");
            var failed = await api.SendAsync("tasks.fail", """{"args": ["kept across restarts"]}""");
            var terminated = await api.SendAsync("tasks.sleep", """{"args": [30]}""");
            await api.WaitForStateAsync(terminated, "STARTED");
            (await api.RevokeAsync(terminated, terminate: true)).AssertStatus(HttpStatusCode.Accepted);
            foreach (var id in new[] { succeeded, failed, terminated })
            {
                before[id] = await api.WaitForFinalAsync(id);
            }

            Assert.Equal(["SUCCESS", "FAILURE", "REVOKED"], before.Values.Select(a => a.State));

            var exitCode = await first.StopAsync(TestTimeouts.Long);
            Assert.True(exitCode == 0, $"celeriac serve should exit 0 after SIGTERM (a warm shutdown), got {exitCode}");
        }

        await using var second = await CeleriacServerProcess.StartAsync(_virtualHost!, _dataDirectory, output.WriteLine);
        using var http2 = second.CreateClient();
        var api2 = new TaskApiClient(http2);
        foreach (var (id, old) in before)
        {
            var now = (await api2.GetAsync(id)).AssertStatus(HttpStatusCode.OK, "a finished task stays finished across a restart");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(old.Text), JsonNode.Parse(now.Text)),
                $"task {id} should answer as before the restart.\nbefore: {old.Text}\nafter:  {now.Text}");
        }

        var listed = await api2.ListIdsAsync("limit=10");
        Assert.True(before.Keys.All(listed.Contains), $"expected the old tasks in the list after the restart, got [{string.Join(", ", listed)}]");
    }
}
