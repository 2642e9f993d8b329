using System.Net;
using Celeriac.Server.Tests.Support;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Api;

/// <summary>
/// CORS is off unless configured: <c>serve --no-worker</c> with <c>CELERIAC__HTTP__CORSORIGINS</c> lets pages of that
/// origin call the API, and no other origin, and never the dashboard; a server without it sends no CORS header at all.
/// </summary>
public sealed class CorsTests(CorsTests.CorsServerFixture fixture, ITestOutputHelper output)
    : ServerTest<CorsTests.CorsServerFixture>(fixture, output), IClassFixture<CorsTests.CorsServerFixture>
{
    private const string Allowed = "http://app.example.test";

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Preflight_FromTheConfiguredOrigin_IsAllowedForPostWithTheApiKeyHeader()
    {
        using var response = await PreflightAsync(Fixture.Server.BaseAddress, "api/tasks/tasks.add", Allowed);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("x-functions-key", Header(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Post_FromTheConfiguredOrigin_ExposesLocationAndRetryAfter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/tasks/tasks.add") { Content = new StringContent("""{"args": [1, 2]}""") };
        request.Headers.Add("Origin", Allowed);
        using var response = await Api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("Location", Header(response, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("https://evil.example.test", "api/tasks/tasks.add")]
    [InlineData(Allowed, "dashboard/api/tasks")]
    public async Task Preflight_FromAnotherOriginOrToTheDashboard_GetsNoCorsHeader(string origin, string path)
    {
        using var response = await PreflightAsync(Fixture.Server.BaseAddress, path, origin);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task Server_WithoutCorsOrigins_SendsNoCorsHeader()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("celeriac-cors-").FullName;
        try
        {
            await using var plain = await CeleriacServerProcess.StartAsync(Fixture.VirtualHost, dataDirectory, Output.WriteLine, worker: false);

            using var response = await PreflightAsync(plain.BaseAddress, "api/tasks/tasks.add", Allowed);

            Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        }
        finally
        {
            ServerFixture.TryDelete(dataDirectory);
        }
    }

    private static async Task<HttpResponseMessage> PreflightAsync(Uri server, string path, string origin)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-functions-key");
        return await http.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary><c>serve --no-worker</c> with <c>CELERIAC__HTTP__CORSORIGINS=http://app.example.test</c>.</summary>
    public sealed class CorsServerFixture : ServerFixture
    {
        protected override string VirtualHostPrefix => "server-cors";

        protected override bool RunsWorker => false;

        protected override IReadOnlyDictionary<string, string> ServerEnvironment => new Dictionary<string, string> { ["CELERIAC__HTTP__CORSORIGINS"] = Allowed };
    }
}
