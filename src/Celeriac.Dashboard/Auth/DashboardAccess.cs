using System.Net;
using System.Security.Cryptography;
using System.Text;
using Celeriac.AspNetCore.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Auth;

/// <summary>
/// Who may see the dashboard. Without API keys: local requests only (a loopback peer that asked for a loopback host
/// name, so a DNS-rebinding page cannot read it either). With API keys (the HTTP API's): a request that carries one
/// in the login cookie, the <c>x-functions-key</c> header or a bearer token, from anywhere.
/// </summary>
internal sealed class DashboardAccess
{
    private readonly byte[][] _keyHashes;

    public DashboardAccess(IOptions<TaskApiOptions> options) =>
        _keyHashes = options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(Hash).ToArray();

    /// <summary>True when API keys are configured, so the login form is used.</summary>
    public bool KeysRequired => _keyHashes.Length > 0;

    public AccessDecision Check(HttpRequest request)
    {
        if (!KeysRequired)
        {
            return IsLocal(request) ? AccessDecision.Allowed : AccessDecision.LocalOnly;
        }

        return IsValidKey(PresentedKey(request)) ? AccessDecision.Allowed : AccessDecision.LoginRequired;
    }

    /// <summary>True when <paramref name="key"/> is one of the configured keys; compared in constant time.</summary>
    public bool IsValidKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        // Hashing first gives equal lengths, so the comparison time says nothing about the keys.
        var hash = Hash(key);
        var allowed = false;
        foreach (var known in _keyHashes)
        {
            allowed |= CryptographicOperations.FixedTimeEquals(hash, known);
        }

        return allowed;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Cookies.TryGetValue(DashboardDefaults.KeyCookie, out var cookie) && cookie.Length > 0)
        {
            return cookie;
        }

        if (request.Headers["x-functions-key"].FirstOrDefault() is { Length: > 0 } header)
        {
            return header;
        }

        return request.Headers.Authorization.FirstOrDefault() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    private static bool IsLocal(HttpRequest request)
    {
        var peer = request.HttpContext.Connection.RemoteIpAddress;
        if (peer is null || !IPAddress.IsLoopback(peer))
        {
            return false;
        }

        var host = request.Host.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>What <see cref="DashboardAccess.Check"/> decided.</summary>
internal enum AccessDecision
{
    /// <summary>Go ahead.</summary>
    Allowed,

    /// <summary>API keys are configured and the request carries none that is valid: log in.</summary>
    LoginRequired,

    /// <summary>No API keys are configured and the request is not local: refused.</summary>
    LocalOnly,
}
