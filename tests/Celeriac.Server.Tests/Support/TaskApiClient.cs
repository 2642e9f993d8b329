using System.Net;
using System.Text;
using Celeriac.Testing;

namespace Celeriac.Server.Tests.Support;

/// <summary>The four endpoints of the HTTP API over a real <see cref="HttpClient"/>, plus waits that poll <c>GET /api/tasks/{id}</c>.</summary>
public sealed class TaskApiClient(HttpClient http)
{
    /// <summary>The client, for requests the helpers do not cover.</summary>
    public HttpClient Http { get; } = http;

    /// <summary><c>POST /api/tasks/{name}</c> with a raw JSON body (none when null).</summary>
    public async Task<ApiAnswer> EnqueueAsync(string name, string? body)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync($"api/tasks/{name}", content);
        return await ApiAnswer.ReadAsync($"POST /api/tasks/{name} {Shorten(body)}", response);
    }

    /// <summary><c>POST /api/tasks/{name}</c>; fails unless 202; the new task's id.</summary>
    public async Task<string> SendAsync(string name, string body)
    {
        var answer = (await EnqueueAsync(name, body)).AssertStatus(HttpStatusCode.Accepted, "the task should have been accepted");
        return answer.Json.GetProperty("id").GetString()!;
    }

    /// <summary><c>GET /api/tasks/{id}</c>.</summary>
    public async Task<ApiAnswer> GetAsync(string id)
    {
        using var response = await Http.GetAsync($"api/tasks/{Uri.EscapeDataString(id)}");
        return await ApiAnswer.ReadAsync($"GET /api/tasks/{id}", response);
    }

    /// <summary><c>POST /api/tasks/{id}/revoke[?terminate=true]</c>.</summary>
    public async Task<ApiAnswer> RevokeAsync(string id, bool terminate = false)
    {
        var path = $"api/tasks/{Uri.EscapeDataString(id)}/revoke{(terminate ? "?terminate=true" : "")}";
        using var response = await Http.PostAsync(path, content: null);
        return await ApiAnswer.ReadAsync($"POST /{path}", response);
    }

    /// <summary><c>GET /api/tasks?{query}</c>.</summary>
    public async Task<ApiAnswer> ListAsync(string query)
    {
        using var response = await Http.GetAsync($"api/tasks?{query}");
        return await ApiAnswer.ReadAsync($"GET /api/tasks?{query}", response);
    }

    /// <summary>The ids of a 200 list answer, in the order given.</summary>
    public async Task<IReadOnlyList<string>> ListIdsAsync(string query)
    {
        var answer = (await ListAsync(query)).AssertStatus(HttpStatusCode.OK);
        return answer.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();
    }

    /// <summary>Polls <c>GET /api/tasks/{id}</c> until the record is in <paramref name="state"/>; the last answer.</summary>
    public Task<ApiAnswer> WaitForStateAsync(string id, string state, TimeSpan? timeout = null) =>
        WaitForAsync(id, a => a.State == state, $"task {id} to be {state}", timeout);

    /// <summary>Polls <c>GET /api/tasks/{id}</c> until it answers 200 (the task finished); the answer.</summary>
    public Task<ApiAnswer> WaitForFinalAsync(string id, TimeSpan? timeout = null) =>
        WaitForAsync(id, a => a.Status == HttpStatusCode.OK, $"task {id} to finish (200)", timeout);

    private async Task<ApiAnswer> WaitForAsync(string id, Func<ApiAnswer, bool> done, string what, TimeSpan? timeout)
    {
        ApiAnswer? last = null;
        try
        {
            await Eventually.WaitAsync(async () => done(last = await GetAsync(id)), timeout ?? TestTimeouts.Long, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; the last answer was {last}", ex);
        }

        return last!;
    }

    private static string Shorten(string? body) => body is null ? "(no body)" : body.Length > 80 ? $"({body.Length} bytes)" : body;
}
