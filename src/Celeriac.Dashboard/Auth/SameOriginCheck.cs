using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard.Auth;

/// <summary>
/// Protection of actions against cross-site requests: a browser tells where a request comes from (<c>Sec-Fetch-Site</c>,
/// <c>Origin</c>), and the page's own script adds <see cref="DashboardDefaults.ActionHeader"/>, which another site's
/// page can only send after a CORS preflight the dashboard never grants. The login cookie is <c>SameSite=Strict</c> too.
/// </summary>
internal static class SameOriginCheck
{
    /// <summary>True for an action (revoke, terminate) sent by the dashboard's own script.</summary>
    public static bool IsSameOriginAction(HttpRequest request) =>
        request.Headers[DashboardDefaults.ActionHeader].FirstOrDefault() == "1" && !IsCrossSite(request, requireEvidence: false);

    /// <summary>True for a form post (the login) that the browser says comes from this origin.</summary>
    public static bool IsSameOriginForm(HttpRequest request) => !IsCrossSite(request, requireEvidence: true);

    private static bool IsCrossSite(HttpRequest request, bool requireEvidence)
    {
        // Set by the browser itself (a page cannot forge it): when present, it decides.
        var fetchSite = request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        if (fetchSite is not null)
        {
            return fetchSite != "same-origin";
        }

        var origin = request.Headers.Origin.FirstOrDefault();
        if (origin is not null)
        {
            return !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        }

        // Neither header: not a current browser's request from a page. A form needs the evidence; an action has its header.
        return requireEvidence;
    }
}
