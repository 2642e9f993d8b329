namespace Celeriac.AspNetCore.Api;

/// <summary>
/// An HTTP answer, independent of the web framework: hosts (ASP.NET Core, Azure Functions) write it out
/// as it is, so every host answers the same.
/// </summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="Body">The JSON body (serialised with <see cref="ApiJson.Options"/>), or null.</param>
public sealed record ApiResponse(int StatusCode, object? Body)
{
    /// <summary>The media type of <see cref="Body"/>.</summary>
    public string ContentType => Body is ApiProblem ? "application/problem+json" : "application/json";

    /// <summary>The <c>Location</c> header, if any.</summary>
    public string? Location { get; init; }

    /// <summary>The <c>Retry-After</c> header in seconds, if any.</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>An RFC 7807 problem details body: what was wrong, for humans and machines.</summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">A short summary of the kind of problem.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What was wrong with this request.</param>
public sealed record ApiProblem(string Type, string Title, int Status, string Detail)
{
    /// <summary>The request path the problem is about.</summary>
    public string? Instance { get; init; }

    /// <summary>The task's state, for conflicts with a finished task.</summary>
    public string? State { get; init; }

    /// <summary>The revoke on record, for an id that only a revoke has named.</summary>
    public Celeriac.Core.Records.RevokeRequest? Revoke { get; init; }

    /// <summary>The names that would have been accepted, for an unknown task name.</summary>
    public IReadOnlyList<string>? Registered { get; init; }
}
