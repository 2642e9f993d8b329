using System.Net;
using Celeriac.Server.Tests.Support;

namespace Celeriac.Server.Tests.Api;

/// <summary>
/// <c>GET /api/tasks?state=&amp;name=&amp;q=&amp;limit=&amp;cursor=</c> against <c>celeriac serve</c> with its embedded worker.
/// Each test marks its tasks' arguments with a text of its own and filters on it, so tests do not see each other's tasks.
/// </summary>
public sealed class ListTasksTests(WorkerServerFixture fixture, ITestOutputHelper output)
    : ServerTest<WorkerServerFixture>(fixture, output), IClassFixture<WorkerServerFixture>
{
    [Fact(Timeout = TestTimeouts.Test)]
    public async Task List_ByStateNameAndText_ReturnsTheMatchesNewestFirst()
    {
        var marker = NewMarker();
        var echoes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            echoes.Add(await Api.SendAsync("tasks.echo", $$"""{"args": ["{{marker}}", {{i}}]}"""));
        }

        var failed = await Api.SendAsync("tasks.fail", $$"""{"args": ["{{marker}}"]}""");
        // Found by its result only: 700000000017 is in neither its arguments nor its id.
        var sum = await Api.SendAsync("tasks.add", """{"args": [700000000000, 17]}""");
        foreach (var id in echoes.Append(failed).Append(sum))
        {
            await Api.WaitForFinalAsync(id);
        }

        var newestFirst = echoes.AsEnumerable().Reverse().ToArray();
        Assert.Equal([failed, .. newestFirst], await Api.ListIdsAsync($"q={marker}"));
        Assert.Equal(newestFirst, await Api.ListIdsAsync($"q={marker}&name=tasks.echo"));
        Assert.Equal(newestFirst, await Api.ListIdsAsync($"q={marker}&state=SUCCESS"));
        Assert.Equal([failed], await Api.ListIdsAsync($"q={marker}&state=FAILURE"));
        Assert.Equal([failed], await Api.ListIdsAsync($"q={marker}&state=failure"));
        Assert.Empty(await Api.ListIdsAsync($"q={marker}&state=REVOKED"));
        Assert.Empty(await Api.ListIdsAsync($"q={marker}&name=tasks.add"));
        Assert.Equal([sum], await Api.ListIdsAsync("q=700000000017"));
        Assert.Equal([failed], await Api.ListIdsAsync($"q={failed[..13]}"));

        var items = (await Api.ListAsync($"q={marker}&name=tasks.echo")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("items");
        Assert.All(items.EnumerateArray(), item => Assert.Equal("SUCCESS", item.GetProperty("state").GetString()));
    }

    [Fact(Timeout = TestTimeouts.Test)]
    public async Task List_LimitAndCursor_PagesNewestFirstWithoutGapsOrRepeats()
    {
        var marker = NewMarker();
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await Api.SendAsync("tasks.echo", $$"""{"args": ["{{marker}}", {{i}}]}"""));
        }

        var pages = new List<string[]>();
        string? cursor = null;
        do
        {
            var answer = (await Api.ListAsync($"q={marker}&limit=2{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}"))
                .AssertStatus(HttpStatusCode.OK);
            var body = answer.Json;
            pages.Add(body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray());
            cursor = body.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            Assert.True(pages.Count <= 3, $"expected 3 pages for 5 tasks at limit=2, but page {pages.Count} still has a next cursor: {answer}");
        }
        while (cursor is not null);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Length));
        Assert.Equal(sent.AsEnumerable().Reverse(), pages.SelectMany(p => p));
    }

    [Theory(Timeout = TestTimeouts.Test)]
    [InlineData("state=BOGUS", "'BOGUS' is not a state")]
    [InlineData("limit=0", "'limit' must be a whole number from 1 to 500")]
    [InlineData("limit=501", "'limit' must be a whole number from 1 to 500")]
    [InlineData("limit=ten", "'limit' must be a whole number from 1 to 500")]
    [InlineData("cursor=not-a-cursor", "not a cursor")]
    [InlineData("from=yesterday", "'from' must be an ISO 8601 time")]
    public async Task List_InvalidQuery_Returns400Problem(string query, string detail)
    {
        (await Api.ListAsync(query)).AssertProblem(HttpStatusCode.BadRequest, "invalid-query", detail);
    }

    private static string NewMarker() => $"mark{Guid.NewGuid():N}"[..16];
}
