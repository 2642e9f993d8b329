using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Celeriac.AspNetCore.Security;

/// <summary>Checks a request's API key against the configured keys in constant time.</summary>
internal sealed class ApiKeyCheck
{
    /// <summary>The header Azure Functions reads function keys from.</summary>
    public const string HeaderName = "x-functions-key";

    private readonly byte[][] _keyHashes;

    public ApiKeyCheck(IEnumerable<string> keys) =>
        _keyHashes = keys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    public bool Required => _keyHashes.Length > 0;

    public bool IsAllowed(HttpRequest request)
    {
        if (!Required)
        {
            return true;
        }

        var presented = request.Headers[HeaderName].FirstOrDefault();
        if (string.IsNullOrEmpty(presented)
            && request.Headers.Authorization.FirstOrDefault() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        // Hashing first gives equal lengths, so the comparison time says nothing about the key.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var allowed = false;
        foreach (var key in _keyHashes)
        {
            allowed |= CryptographicOperations.FixedTimeEquals(hash, key);
        }

        return allowed;
    }
}
