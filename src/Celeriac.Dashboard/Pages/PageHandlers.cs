using System.Net;
using Celeriac.Dashboard.Assets;
using Celeriac.Dashboard.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard.Pages;

/// <summary>The page, its assets, the login form and logout.</summary>
internal static class PageHandlers
{
    internal static IResult Asset(string file, HttpContext http, DashboardAssets assets)
    {
        if (!assets.TryGet(file, out var asset) || file.EndsWith(".html", StringComparison.Ordinal))
        {
            return Results.NotFound();
        }

        // Revalidated every time (a new version shows at once), answered with 304 while unchanged.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.ETag = asset.ETag;
        return http.Request.Headers.IfNoneMatch.ToString() == asset.ETag
            ? Results.StatusCode(304)
            : Results.Bytes(asset.Content, asset.ContentType);
    }

    internal static IResult Page(HttpContext http, DashboardAssets assets, DashboardOptions options, DashboardAccess access)
    {
        http.Response.Headers.CacheControl = "no-store";
        var html = assets.Text("index.html")
            .Replace("{{base}}", WebUtility.HtmlEncode($"{http.Request.PathBase}{options.PathPrefix}"), StringComparison.Ordinal)
            .Replace("{{logout}}", access.KeysRequired ? "" : "hidden", StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8");
    }

    internal static IResult LoginPage(HttpContext http, DashboardAssets assets, DashboardOptions options, DashboardAccess access, string? returnUrl, string? error)
    {
        http.Response.Headers.CacheControl = "no-store";
        var basePath = $"{http.Request.PathBase}{options.PathPrefix}";
        var html = assets.Text("login.html")
            .Replace("{{base}}", WebUtility.HtmlEncode(basePath), StringComparison.Ordinal)
            .Replace("{{returnUrl}}", WebUtility.HtmlEncode(SafeReturnUrl(returnUrl, basePath)), StringComparison.Ordinal)
            .Replace("{{error}}", WebUtility.HtmlEncode(error ?? (access.KeysRequired ? "" : "This server has no API keys: the dashboard is open to local requests.")),
                StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: error is null ? 200 : 401);
    }

    internal static async Task<IResult> Login(HttpContext http, DashboardAssets assets, DashboardAccess access, IOptions<DashboardOptions> options, ILogger<DashboardAccessLog> logger)
    {
        if (!SameOriginCheck.IsSameOriginForm(http.Request))
        {
            return CrossSite(http);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var key = form["key"].ToString();
        var basePath = $"{http.Request.PathBase}{options.Value.PathPrefix}";
        if (!access.IsValidKey(key))
        {
            Log.LoginFailed(logger, http.Connection.RemoteIpAddress?.ToString());
            return LoginPage(http, assets, options.Value, access, form["returnUrl"], "That key is not one of this server's API keys.");
        }

        http.Response.Cookies.Append(DashboardDefaults.KeyCookie, key, CookieOptions(http));
        return Results.Redirect(SafeReturnUrl(form["returnUrl"], basePath));
    }

    // Only a path inside the dashboard: a login link must never send the user elsewhere.
    internal static string SafeReturnUrl(string? returnUrl, string basePath) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(basePath + "/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : basePath + "/";

    internal static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    internal static IResult CrossSite(HttpContext http)
    {
        var logger = http.RequestServices.GetRequiredService<ILogger<DashboardAccessLog>>();
        Log.CrossSiteRefused(logger, http.Request.Method, http.Request.Path, http.Request.Headers.Origin.FirstOrDefault(),
            http.Request.Headers["Sec-Fetch-Site"].FirstOrDefault());
        return Results.Problem(statusCode: 403, title: "Cross-site request refused",
            detail: "Dashboard actions are accepted only from the dashboard's own pages.");
    }

    internal static IResult Logout(HttpContext http, IOptions<DashboardOptions> options)
    {
        if (!SameOriginCheck.IsSameOriginForm(http.Request))
        {
            return CrossSite(http);
        }

        http.Response.Cookies.Delete(DashboardDefaults.KeyCookie, CookieOptions(http));
        return Results.Redirect($"{http.Request.PathBase}{options.Value.PathPrefix}/login");
    }
}
