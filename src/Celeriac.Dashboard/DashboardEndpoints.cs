using Celeriac.Dashboard.Assets;
using Celeriac.Dashboard.Auth;
using Celeriac.Dashboard.Broker;
using Celeriac.Dashboard.Live;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Pages;
using Celeriac.Dashboard.Tasks;
using Celeriac.Dashboard.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>The dashboard's routes. Each translates a request into one call on a dashboard part or the HTTP API's behaviour.</summary>
internal static class DashboardEndpoints
{
    private static readonly string[] s_pages = ["/", "/tasks/{id}", "/workers", "/broker"];

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var access = endpoints.ServiceProvider.GetRequiredService<DashboardAccess>();

        // Open to everyone: the login form and the static assets (which hold no data).
        var open = endpoints.MapGroup(options.PathPrefix).ExcludeFromDescription();
        open.AddEndpointFilter(SecurityHeaders);
        open.MapGet("/assets/{file}", PageHandlers.Asset);
        open.MapGet("/login", (HttpContext http, DashboardAssets assets, string? returnUrl) => PageHandlers.LoginPage(http, assets, options, access, returnUrl, error: null));
        open.MapPost("/login", PageHandlers.Login);
        open.MapPost("/logout", PageHandlers.Logout);

        var group = endpoints.MapGroup(options.PathPrefix).ExcludeFromDescription();
        group.AddEndpointFilter(SecurityHeaders);
        group.AddEndpointFilter((context, next) => Guard(context, next, access, options));
        foreach (var page in s_pages)
        {
            group.MapGet(page, (HttpContext http, DashboardAssets assets) => PageHandlers.Page(http, assets, options, access));
        }

        group.MapGet("/api/tasks", TaskHandlers.ListTasks);
        group.MapGet("/api/tasks/{id}", TaskHandlers.GetTask);
        group.MapPost("/api/tasks/{id}/revoke", TaskHandlers.Revoke);
        group.MapGet("/api/stats", TaskHandlers.Stats);
        group.MapGet("/api/workers", (WorkerBoard workers, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            return Results.Json(WorkerView.From(workers.Snapshot(now), now), DashboardJson.Options);
        });
        group.MapGet("/api/broker/queues", BrokerHandlers.Queues);
        group.MapGet("/api/broker/queues/{name}/messages", BrokerHandlers.ParkedMessages);
        group.MapGet("/api/stream", StreamHandler.Stream);

        if (options.MetricsPath is { } metricsPath)
        {
            endpoints.MapGet(metricsPath, MetricsHandler.Metrics).ExcludeFromDescription()
                .AddEndpointFilter((context, next) => Guard(context, next, access, options));
        }

        return group;
    }

    private static async ValueTask<object?> Guard(EndpointFilterInvocationContext context, EndpointFilterDelegate next, DashboardAccess access, DashboardOptions options)
    {
        var http = context.HttpContext;
        switch (access.Check(http.Request))
        {
            case AccessDecision.Allowed:
                return await next(context);
            case AccessDecision.LoginRequired when HttpMethods.IsGet(http.Request.Method) && IsPage(http.Request, options):
                var returnUrl = Uri.EscapeDataString($"{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}");
                return Results.Redirect($"{http.Request.PathBase}{options.PathPrefix}/login?returnUrl={returnUrl}");
            case AccessDecision.LoginRequired:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(statusCode: 401, title: "API key required",
                    detail: "This dashboard requires an API key: log in, or send it in the x-functions-key header or as 'Authorization: Bearer <key>'.");
            default:
                return Results.Problem(statusCode: 403, title: "Local requests only",
                    detail: "Without API keys the dashboard answers requests from this machine only (to a loopback address or localhost). Configure API keys (--api-key) to open it to others.");
        }
    }

    private static bool IsPage(HttpRequest request, DashboardOptions options) =>
        request.Path.StartsWithSegments(options.PathPrefix, out var rest) && !rest.StartsWithSegments("/api");

    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        // Only the dashboard's own files: no inline script, no other origin, never in a frame.
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the login form's post.
        headers["Referrer-Policy"] = "same-origin";
        return await next(context);
    }
}

/// <summary>The log category of the dashboard's requests (logins, refusals, actions).</summary>
internal sealed class DashboardAccessLog;
