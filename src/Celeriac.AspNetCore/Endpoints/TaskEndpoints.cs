using Celeriac.AspNetCore.Api;
using Celeriac.AspNetCore.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Endpoints;

/// <summary>
/// The HTTP API's request handlers, shared by every host: <c>MapCeleriacApi</c> maps them to routes in an ASP.NET
/// Core app, and the Azure Functions app's HTTP functions call them with the request the Functions host passes
/// (ASP.NET Core integration). Each one checks the API key, reads the request, makes one <see cref="TaskApi"/>
/// call and writes its answer, so both hosts answer byte for byte the same.
/// </summary>
public sealed class TaskEndpoints
{
    private readonly TaskApi _api;
    private readonly ApiKeyCheck _keys;

    /// <summary>Creates the handlers.</summary>
    public TaskEndpoints(TaskApi api, IOptions<TaskApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _api = api;
        _keys = new ApiKeyCheck(options.Value.ApiKeys);
    }

    /// <summary><c>POST /api/tasks/{name}</c>: see <see cref="TaskApi.EnqueueAsync"/>.</summary>
    public async Task<IResult> EnqueueAsync(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_keys.IsAllowed(request))
        {
            return Unauthorized(request);
        }

        byte[]? body;
        try
        {
            body = await RequestBody.ReadAsync(request, _api.MaxBodyBytes, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException ex)
        {
            // The client's fault, answered as such (it used to surface as an unhandled exception logged at ERROR).
            return new ApiResponseResult(TaskApi.UnreadableBody(request.Path, ex.Message));
        }

        return new ApiResponseResult(body is null
            ? _api.PayloadTooLarge(request.Path)
            : await _api.EnqueueAsync(name, body, BaseAddress(request), request.HttpContext.RequestAborted));
    }

    /// <summary><c>GET /api/tasks/{id}</c>: see <see cref="TaskApi.GetAsync"/>.</summary>
    public async Task<IResult> GetAsync(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _keys.IsAllowed(request) ? new ApiResponseResult(await _api.GetAsync(id, request.HttpContext.RequestAborted)) : Unauthorized(request);
    }

    /// <summary><c>POST /api/tasks/{id}/revoke[?terminate=true]</c>: see <see cref="TaskApi.RevokeAsync"/>.</summary>
    public async Task<IResult> RevokeAsync(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_keys.IsAllowed(request))
        {
            return Unauthorized(request);
        }

        var terminate = request.Query["terminate"].ToString() is { Length: > 0 } text && bool.TryParse(text, out var value) && value;
        return new ApiResponseResult(await _api.RevokeAsync(id, terminate, BaseAddress(request), request.HttpContext.RequestAborted));
    }

    /// <summary><c>GET /api/tasks?state=&amp;name=&amp;...</c>: see <see cref="TaskApi.ListAsync"/>.</summary>
    public async Task<IResult> ListAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_keys.IsAllowed(request))
        {
            return Unauthorized(request);
        }

        var query = request.Query.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new ApiResponseResult(await _api.ListAsync(query, request.HttpContext.RequestAborted));
    }

    private static ApiResponseResult Unauthorized(HttpRequest request) => new(TaskApi.Unauthorized(request.Path));

    private static Uri BaseAddress(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");
}
