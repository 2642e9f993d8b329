using System.Net;
using System.Net.Http.Headers;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Api;

/// <summary>
/// API keys: <c>celeriac serve --api-key k1 --api-key k2</c> with <c>CELERIAC_API_KEYS="k3, k4"</c>. Every endpoint
/// needs one of the four keys, in <c>x-functions-key</c> or as a bearer token; without keys the API is open.
/// </summary>
public sealed class ApiKeyTests(ApiKeyTests.KeyedServerFixture fixture, ITestOutputHelper output)
    : ServerTest<ApiKeyTests.KeyedServerFixture>(fixture, output), IClassFixture<ApiKeyTests.KeyedServerFixture>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "api/tasks/tasks.noop" },
        { "GET", "api/tasks/1f7d3c1e-0000-4000-8000-000000000001" },
        { "POST", "api/tasks/1f7d3c1e-0000-4000-8000-000000000001/revoke" },
        { "GET", "api/tasks" },
    };

    [Theory(Timeout = TestTimeouts.Test)]
    [MemberData(nameof(Endpoints))]
    public async Task AnyEndpoint_NoKey_Returns401Problem(string method, string path)
    {
        (await SendAsync(method, path, _ => { })).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized", "x-functions-key");
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("x-functions-key", "wrong")]
    [InlineData("x-functions-key", "k1x")]
    [InlineData("x-functions-key", "k")]
    [InlineData("Bearer", "wrong")]
    [InlineData("Basic", "k1")]
    public async Task AnyEndpoint_WrongKey_Returns401Problem(string scheme, string key)
    {
        foreach (var (method, path) in Endpoints.Select(row => ((string)row[0], (string)row[1])))
        {
            (await SendAsync(method, path, r => Authorize(r, scheme, key))).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("x-functions-key", "k1")]
    [InlineData("Bearer", "k2")]
    [InlineData("x-functions-key", "k3")]
    [InlineData("Bearer", "k4")]
    public async Task EveryEndpoint_ConfiguredKeyFromOptionOrEnvironment_IsServed(string scheme, string key)
    {
        await AssertServedAsync(Fixture.Server.BaseAddress, r => Authorize(r, scheme, key));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task EveryEndpoint_NoKeysConfigured_IsOpen()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("celeriac-server-tests-").FullName;
        try
        {
            // An empty CELERIAC_API_KEYS, in case the machine running the tests sets one.
            await using var open = await CeleriacServerProcess.StartAsync(Fixture.VirtualHost, dataDirectory, Output.WriteLine, worker: false,
                environment: new Dictionary<string, string> { ["CELERIAC_API_KEYS"] = "" });

            await AssertServedAsync(open.BaseAddress, _ => { });
        }
        finally
        {
            ServerFixture.TryDelete(dataDirectory);
        }
    }

    private static void Authorize(HttpRequestMessage request, string scheme, string key)
    {
        if (scheme == "x-functions-key")
        {
            request.Headers.Add("x-functions-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, key);
        }
    }

    private async Task AssertServedAsync(Uri server, Action<HttpRequestMessage> authorize)
    {
        using var http = new HttpClient { BaseAddress = server };
        var enqueued = (await SendAsync(http, "POST", "api/tasks/tasks.noop", authorize)).AssertStatus(HttpStatusCode.Accepted);
        var id = enqueued.Json.GetProperty("id").GetString();
        (await SendAsync(http, "GET", $"api/tasks/{id}", authorize)).AssertStatus(HttpStatusCode.Accepted, "the task is queued (no worker)");
        (await SendAsync(http, "GET", "api/tasks", authorize)).AssertStatus(HttpStatusCode.OK);
        (await SendAsync(http, "POST", $"api/tasks/{id}/revoke", authorize)).AssertStatus(HttpStatusCode.Accepted);
    }

    private Task<ApiAnswer> SendAsync(string method, string path, Action<HttpRequestMessage> authorize) => SendAsync(Api.Http, method, path, authorize);

    private static async Task<ApiAnswer> SendAsync(HttpClient http, string method, string path, Action<HttpRequestMessage> authorize)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        authorize(request);
        using var response = await http.SendAsync(request);
        return await ApiAnswer.ReadAsync($"{method} /{path} ({string.Join("; ", request.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))})", response);
    }

    /// <summary><c>serve --no-worker --api-key k1 --api-key k2</c> with <c>CELERIAC_API_KEYS="k3, k4"</c>.</summary>
    public sealed class KeyedServerFixture : ServerFixture
    {
        protected override string VirtualHostPrefix => "server-keys";

        protected override bool RunsWorker => false;

        protected override IEnumerable<string> ExtraArguments => ["--api-key", "k1", "--api-key", "k2"];

        protected override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string> { ["CELERIAC_API_KEYS"] = "k3, k4" };
    }
}
