using System.Net;
using System.Text.Json;
using Celeriac.Server.Tests.Support;

namespace Celeriac.Server.Tests.Api;

/// <summary><c>GET /openapi/v1.json</c> of <c>celeriac serve</c>: the four operations with the answers they give.</summary>
public sealed class OpenApiDocumentTests(ApiOnlyServerFixture fixture, ITestOutputHelper output)
    : ServerTest<ApiOnlyServerFixture>(fixture, output), IClassFixture<ApiOnlyServerFixture>
{
    public static TheoryData<string, string, string, string[]> Operations => new()
    {
        { "EnqueueTask", "post", "/api/tasks/{name}", ["202", "400", "401", "404", "413"] },
        { "GetTask", "get", "/api/tasks/{id}", ["200", "202", "401", "404"] },
        { "RevokeTask", "post", "/api/tasks/{id}/revoke", ["202", "401", "409"] },
        { "ListTasks", "get", "/api/tasks", ["200", "400", "401"] },
    };

    [Theory(Timeout = TestTimeouts.Test)]
    [MemberData(nameof(Operations))]
    public async Task OpenApiDocument_DescribesOperationWithItsAnswers(string operationId, string method, string path, string[] statuses)
    {
        var document = await GetDocumentAsync();

        var operation = default(JsonElement);
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method, out operation),
            $"expected {method.ToUpperInvariant()} {path} in the OpenAPI document; it has paths {string.Join(", ", document.GetProperty("paths").EnumerateObject().Select(p => p.Name))}");
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        var responses = operation.GetProperty("responses");
        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"expected {operationId} to document {status}; it documents {responses}");
            var mediaType = status.StartsWith('2') ? "application/json" : "application/problem+json";
            Assert.True(response.TryGetProperty("content", out var content) && content.TryGetProperty(mediaType, out _),
                $"expected {operationId}'s {status} to be {mediaType}, got {response}");
        }
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task OpenApiDocument_IsOpenApi3WithExactlyTheFourOperations()
    {
        var document = await GetDocumentAsync();

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var operationIds = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => o.Value.GetProperty("operationId").GetString()))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["EnqueueTask", "GetTask", "ListTasks", "RevokeTask"], operationIds);
        var revoke = document.GetProperty("paths").GetProperty("/api/tasks/{id}/revoke").GetProperty("post");
        Assert.Contains(revoke.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "terminate" && p.GetProperty("in").GetString() == "query");
        var list = document.GetProperty("paths").GetProperty("/api/tasks").GetProperty("get");
        var listParameters = list.GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query")
            .Select(p => p.GetProperty("name").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(["cursor", "from", "limit", "name", "q", "state", "to", "worker"], listParameters);
    }

    private async Task<JsonElement> GetDocumentAsync()
    {
        using var response = await Api.Http.GetAsync("openapi/v1.json");
        var answer = (await ApiAnswer.ReadAsync("GET /openapi/v1.json", response)).AssertStatus(HttpStatusCode.OK);
        Assert.Equal("application/json", answer.ContentType);
        return answer.Json;
    }
}
