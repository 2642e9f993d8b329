using Celeriac.Functions.Tests.Support;

namespace Celeriac.Functions.Tests.Http;

/// <summary>The OpenAPI function through the SDK's types: one call for the document, answered as JSON.</summary>
public sealed class OpenApiFunctionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FunctionsUnderTest _app = null!;

    public Task InitializeAsync()
    {
        _app = FunctionsUnderTest.Create(output);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Get_AnswersTheServersDocumentAsJson_SameTextEveryTime()
    {
        var request = HttpInvocation.Request(_app.Services, "GET", "/openapi/v1.json");

        var answer = await HttpInvocation.WriteAsync(await _app.OpenApi.Get(request), request);

        Assert.Equal(200, answer.Status);
        Assert.StartsWith("application/json", answer.ContentType, StringComparison.Ordinal);
        Assert.True(answer.Body.GetProperty("paths").TryGetProperty("/api/tasks/{id}/revoke", out _), $"the document lists the revoke route: {answer.Body}");
        var again = HttpInvocation.Request(_app.Services, "GET", "/openapi/v1.json");
        Assert.Equal(answer.Body.GetRawText(), (await HttpInvocation.WriteAsync(await _app.OpenApi.Get(again), again)).Body.GetRawText());
    }
}
