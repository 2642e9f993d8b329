using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Celeriac.Server.Tests.Support;

/// <summary>An HTTP answer of the API, read in full, with assertions that show the whole answer when they fail.</summary>
public sealed record ApiAnswer(string Request, HttpStatusCode Status, string? ContentType, string Text, HttpResponseHeaders Headers)
{
    /// <summary>The body as JSON (fails the test when it is not JSON).</summary>
    public JsonElement Json
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(Text);
                return document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"{Request} answered a body that is not JSON ({ex.Message}): {this}");
            }
        }
    }

    /// <summary>The <c>state</c> member of the body, if any.</summary>
    public string? State => Status is HttpStatusCode.OK or HttpStatusCode.Accepted && Json.TryGetProperty("state", out var state) ? state.GetString() : null;

    /// <summary>The <c>Retry-After</c> header in seconds, if any.</summary>
    public int? RetryAfterSeconds => Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : null;

    /// <summary>Reads a response.</summary>
    public static async Task<ApiAnswer> ReadAsync(string request, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new ApiAnswer(request, response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers);
    }

    /// <summary>Fails unless the status is <paramref name="expected"/>.</summary>
    public ApiAnswer AssertStatus(HttpStatusCode expected, string why = "")
    {
        if (Status != expected)
        {
            throw new Xunit.Sdk.XunitException($"Expected {(int)expected} {expected} from {Request}{(why.Length > 0 ? $" ({why})" : "")}, got {this}");
        }

        return this;
    }

    /// <summary>
    /// Fails unless this is an RFC 7807 problem: <paramref name="status"/>, <c>application/problem+json</c>, and a body with
    /// <c>type</c>, <c>title</c>, the same <c>status</c> and (unless <paramref name="requireDetail"/> is false: ASP.NET Core's own
    /// answers to unknown routes have none) a <c>detail</c>; for the API's own problems also the kind of problem.
    /// </summary>
    public JsonElement AssertProblem(HttpStatusCode status, string? kind = null, string? detailContains = null, bool requireDetail = true)
    {
        AssertStatus(status);
        if (ContentType != "application/problem+json")
        {
            throw new Xunit.Sdk.XunitException($"Expected application/problem+json from {Request}, got {this}");
        }

        var body = Json;
        foreach (var member in requireDetail ? ["type", "title", "detail"] : new[] { "type", "title" })
        {
            if (!body.TryGetProperty(member, out var value) || value.ValueKind != JsonValueKind.String || value.GetString()!.Length == 0)
            {
                throw new Xunit.Sdk.XunitException($"Expected a problem with a '{member}' from {Request}, got {this}");
            }
        }

        Assert.True(body.TryGetProperty("status", out var code) && code.GetInt32() == (int)status, $"Expected \"status\": {(int)status} in the problem from {Request}, got {this}");
        if (kind is not null)
        {
            Assert.True(body.GetProperty("type").GetString() == $"urn:celeriac:problem:{kind}", $"Expected a problem of type urn:celeriac:problem:{kind} from {Request}, got {this}");
        }

        if (detailContains is not null)
        {
            Assert.True(body.GetProperty("detail").GetString()!.Contains(detailContains, StringComparison.Ordinal),
                $"Expected the problem's detail to say '{detailContains}' for {Request}, got {this}");
        }

        return body;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(int)Status} {Status} ({ContentType ?? "no content type"}){(RetryAfterSeconds is { } r ? $" Retry-After: {r}" : "")}: {(Text.Length > 2000 ? Text[..2000] + "..." : Text)}";
}
