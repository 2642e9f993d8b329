using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Celeriac.Testing;

namespace Celeriac.Samples.Tests;

/// <summary>
/// examples/SampleApp built from the packed packages, run against the test broker and configured only through
/// <c>CELERIAC__...</c> environment variables over its appsettings.json: its own task, called from Python Celery and
/// over its HTTP API.
/// </summary>
[Collection(SampleCollection.Name)]
public sealed class SampleAppTests(SamplePackages packages, ITestOutputHelper output)
{
    private const string ApiKey = "sample-key-1";
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_result = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 600_000)]
    public async Task SendInvoice_FromPythonCelery_ReturnsTheInvoiceAndIsRecorded()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("sample");
        await using var app = await StartSampleAsync(vhost);
        await using var python = await PythonClient.StartAsync(vhost, output.WriteLine);

        var id = await python.SendTaskAsync("shop.send_invoice", ["A-1001", 42.5]);
        var outcome = await python.GetAsync(id, s_result);

        Assert.Null(outcome.Error);
        var invoice = outcome.Result!.Value;
        Assert.Equal("A-1001", invoice.GetProperty("orderId").GetString());
        Assert.StartsWith("INV-A-1001-", invoice.GetProperty("number").GetString(), StringComparison.Ordinal);
        Assert.Equal(42.5m, invoice.GetProperty("amount").GetDecimal());

        // The worker recorded it in the SQLite file the configuration named; the API serves the record.
        using var http = Client(app.BaseAddress);
        using var record = await http.GetAsync($"api/tasks/{id}");
        var view = await record.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(record.StatusCode == HttpStatusCode.OK, $"GET answered {(int)record.StatusCode}: {view}");
        Assert.Equal(("SUCCESS", "shop.send_invoice"), (view.GetProperty("state").GetString(), view.GetProperty("name").GetString()));
        Assert.Equal(app.Hostname, view.GetProperty("worker").GetString());
        Assert.True(File.Exists(app.DatabasePath), $"no records file at {app.DatabasePath}");
    }

    [Fact(Timeout = 600_000)]
    public async Task SendInvoice_OverHttpWithTheConfiguredApiKey_SucceedsAndWithoutOneIs401()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("sample");
        await using var app = await StartSampleAsync(vhost);
        using var http = Client(app.BaseAddress);

        using (var anonymous = new HttpClient { BaseAddress = app.BaseAddress })
        using (var refused = await anonymous.PostAsync("api/tasks/shop.send_invoice", JsonContent.Create(new { args = new object[] { "B-2002", 10 } })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var accepted = await http.PostAsync("api/tasks/shop.send_invoice", JsonContent.Create(new { args = new object[] { "B-2002", 10 } }));
        var links = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"POST answered {(int)accepted.StatusCode}: {links}");
        var id = links.GetProperty("id").GetString()!;

        JsonElement view = default;
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync($"api/tasks/{id}");
            view = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.StatusCode == HttpStatusCode.OK;
        }, s_result, $"task {id} to finish");

        Assert.Equal("SUCCESS", view.GetProperty("state").GetString());
        var result = view.GetProperty("result");
        Assert.Equal("B-2002", result.GetProperty("orderId").GetString());
        Assert.StartsWith("INV-B-2002-", result.GetProperty("number").GetString(), StringComparison.Ordinal);

        // An unknown task is still a 404, and a bad argument a 400: the API knows the sample's own tasks.
        using var unknown = await http.PostAsync("api/tasks/shop.nope", JsonContent.Create(new { args = Array.Empty<object>() }));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var missing = await http.PostAsync("api/tasks/shop.send_invoice", JsonContent.Create(new { args = new object[] { "B-2002" } }));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        Assert.Equal(0, await app.StopAsync());
    }

    [Fact(Timeout = 600_000)]
    public async Task Start_InvalidConfiguration_ExitsNamingTheKey()
    {
        await using var vhost = await RabbitMqVirtualHost.CreateAsync("sample");
        await using var process = ManagedProcess.Start("dotnet", [packages.SampleDll, "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string>
            {
                ["CELERIAC__RABBITMQ__URL"] = vhost.AmqpUrl,
                ["CELERIAC__SQLITE__FILEPATH"] = Path.Combine(packages.Root, "invalid", "tasks.db"),
                ["CELERIAC__WORKER__CONCURRENCY"] = "0",
            }, workingDirectory: packages.SampleDirectory, log: output.WriteLine, label: "sample-app");

        var exitCode = await process.WaitForExitAsync(s_start);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("WorkerOptions.Concurrency (Celeriac:Worker:Concurrency) must be at least 1 (was 0).", process.Output, StringComparison.Ordinal);
    }

    private async Task<SampleApp> StartSampleAsync(RabbitMqVirtualHost vhost)
    {
        var hostname = $"shop-{Guid.NewGuid():N}@localhost"[..25];
        var database = Path.Combine(packages.Root, "data-" + Guid.NewGuid().ToString("N"), "tasks.db");
        for (var attempt = 1; ; attempt++)
        {
            var baseAddress = new Uri($"http://127.0.0.1:{FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)}/");
            var process = ManagedProcess.Start("dotnet", [packages.SampleDll, "--urls", baseAddress.ToString().TrimEnd('/')],
                new Dictionary<string, string>
                {
                    // Over appsettings.json, as a container would set them.
                    ["CELERIAC__RABBITMQ__URL"] = vhost.AmqpUrl,
                    ["CELERIAC__SQLITE__FILEPATH"] = database,
                    ["CELERIAC__WORKER__HOSTNAME"] = hostname,
                    ["CELERIAC__WORKER__CONCURRENCY"] = "1",
                    ["CELERIAC__HTTP__APIKEYS"] = ApiKey,
                }, workingDirectory: packages.SampleDirectory, log: output.WriteLine, label: "sample-app");
            try
            {
                await process.WaitForLineAsync($"Now listening on: {baseAddress.ToString().TrimEnd('/')}", s_start);
                return new SampleApp(process, baseAddress, hostname, database);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    private static HttpClient Client(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-functions-key", ApiKey);
        return http;
    }

    private sealed record SampleApp(ManagedProcess Process, Uri BaseAddress, string Hostname, string DatabasePath) : IAsyncDisposable
    {
        public async Task<int> StopAsync()
        {
            Process.Signal(15);
            return await Process.WaitForExitAsync(s_start);
        }

        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
