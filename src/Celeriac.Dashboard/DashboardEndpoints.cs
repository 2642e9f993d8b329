using System.Net;
using Celeriac.AspNetCore.Api;
using Celeriac.Core.Records;
using Celeriac.Dashboard.Assets;
using Celeriac.Dashboard.Auth;
using Celeriac.Dashboard.Broker;
using Celeriac.Dashboard.Live;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Tasks;
using Celeriac.Dashboard.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
        open.MapGet("/assets/{file}", Asset);
        open.MapGet("/login", (HttpContext http, DashboardAssets assets, string? returnUrl) => LoginPage(http, assets, options, access, returnUrl, error: null));
        open.MapPost("/login", Login);
        open.MapPost("/logout", (HttpContext http) =>
        {
            if (!SameOriginCheck.IsSameOriginForm(http.Request))
            {
                return CrossSite(http);
            }

            http.Response.Cookies.Delete(DashboardDefaults.KeyCookie, CookieOptions(http));
            return Results.Redirect($"{http.Request.PathBase}{options.PathPrefix}/login");
        });

        var group = endpoints.MapGroup(options.PathPrefix).ExcludeFromDescription();
        group.AddEndpointFilter(SecurityHeaders);
        group.AddEndpointFilter((context, next) => Guard(context, next, access, options));
        foreach (var page in s_pages)
        {
            group.MapGet(page, (HttpContext http, DashboardAssets assets) => Page(http, assets, options, access));
        }

        group.MapGet("/api/tasks", ListTasks);
        group.MapGet("/api/tasks/{id}", GetTask);
        group.MapPost("/api/tasks/{id}/revoke", Revoke);
        group.MapGet("/api/stats", Stats);
        group.MapGet("/api/workers", (WorkerBoard workers, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            return Results.Json(WorkerView.From(workers.Snapshot(now), now), DashboardJson.Options);
        });
        group.MapGet("/api/broker/queues", Queues);
        group.MapGet("/api/broker/queues/{name}/messages", ParkedMessages);
        group.MapGet("/api/stream", Stream);

        if (options.MetricsPath is { } metricsPath)
        {
            endpoints.MapGet(metricsPath, Metrics).ExcludeFromDescription()
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

    private static IResult Asset(string file, HttpContext http, DashboardAssets assets)
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

    private static IResult Page(HttpContext http, DashboardAssets assets, DashboardOptions options, DashboardAccess access)
    {
        http.Response.Headers.CacheControl = "no-store";
        var html = assets.Text("index.html")
            .Replace("{{base}}", WebUtility.HtmlEncode($"{http.Request.PathBase}{options.PathPrefix}"), StringComparison.Ordinal)
            .Replace("{{logout}}", access.KeysRequired ? "" : "hidden", StringComparison.Ordinal);
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static IResult LoginPage(HttpContext http, DashboardAssets assets, DashboardOptions options, DashboardAccess access, string? returnUrl, string? error)
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

    private static async Task<IResult> Login(HttpContext http, DashboardAssets assets, DashboardAccess access, IOptions<DashboardOptions> options, ILogger<DashboardAccessLog> logger)
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
    private static string SafeReturnUrl(string? returnUrl, string basePath) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(basePath + "/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : basePath + "/";

    private static CookieOptions CookieOptions(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    private static IResult CrossSite(HttpContext http)
    {
        var logger = http.RequestServices.GetRequiredService<ILogger<DashboardAccessLog>>();
        Log.CrossSiteRefused(logger, http.Request.Method, http.Request.Path, http.Request.Headers.Origin.FirstOrDefault(),
            http.Request.Headers["Sec-Fetch-Site"].FirstOrDefault());
        return Results.Problem(statusCode: 403, title: "Cross-site request refused",
            detail: "Dashboard actions are accepted only from the dashboard's own pages.");
    }

    private static async Task<IResult> ListTasks(HttpRequest request, ITaskStore store, CancellationToken cancellationToken)
    {
        if (!TaskListQuery.TryParse(request.Query, out var query, out var error))
        {
            return Results.Problem(statusCode: 400, title: "Invalid query", detail: error);
        }

        try
        {
            var page = await store.QueryAsync(query, cancellationToken);
            return Results.Json(new TaskListView(page.Items.Select(TaskView.From).ToArray(), page.NextCursor), DashboardJson.Options);
        }
        catch (FormatException ex)
        {
            return Results.Problem(statusCode: 400, title: "Invalid query", detail: ex.Message);
        }
    }

    private static async Task<IResult> GetTask(string id, ITaskStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } record
            ? Results.Json(TaskView.From(record), DashboardJson.Options)
            : Results.Problem(statusCode: 404, title: "Unknown task", detail: $"No task with id '{id}'.");

    private static async Task<IResult> Revoke(string id, bool? terminate, HttpContext http, ITaskStore store, DashboardEventFeed feed,
        ILogger<DashboardAccessLog> logger, CancellationToken cancellationToken)
    {
        if (!SameOriginCheck.IsSameOriginAction(http.Request))
        {
            return CrossSite(http);
        }

        // The HTTP API's own revoke: the record keeps the request, the broadcast reaches a worker running it now.
        if (http.RequestServices.GetService<TaskApi>() is not { } api)
        {
            return Results.Problem(statusCode: 501, title: "Revoke unavailable", detail: "This host does not run the HTTP API's task behaviour (AddHttpApi).");
        }

        var baseAddress = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/");
        var response = await api.RevokeAsync(id, terminate ?? false, baseAddress, cancellationToken);
        Log.Revoked(logger, id, terminate ?? false, response.StatusCode);
        var record = await store.GetAsync(id, cancellationToken);
        if (record is not null)
        {
            feed.PublishRecord(record);
        }

        var detail = response.Body is ApiProblem problem ? problem.Detail : null;
        return Results.Json(new RevokeOutcome(response.StatusCode < 300, detail, record is null ? null : TaskView.From(record)), DashboardJson.Options,
            statusCode: response.StatusCode);
    }

    private static async Task<IResult> Stats(StateCounts counts, TaskMetrics metrics, TimeProvider time, CancellationToken cancellationToken) =>
        Results.Json(new StatsView(StateCounts.View(await counts.GetAsync(cancellationToken)), metrics.Throughput(time.GetUtcNow(), StatsView.BucketSeconds)),
            DashboardJson.Options);

    private static async Task<IResult> Queues(RabbitMqManagement management, ILogger<DashboardAccessLog> logger, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await management.GetQueuesAsync(cancellationToken), DashboardJson.Options);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.ManagementUnavailable(logger, management.BaseAddress, ex);
            return Results.Problem(statusCode: 502, title: "RabbitMQ management API unavailable",
                detail: $"{management.BaseAddress} did not answer ({ex.GetBaseException().Message}). Enable the rabbitmq_management plugin, or set the management URL.");
        }
    }

    private static async Task<IResult> ParkedMessages(string name, int? count, RabbitMqManagement management, ILogger<DashboardAccessLog> logger,
        CancellationToken cancellationToken)
    {
        if (!name.EndsWith(RabbitMqManagement.ParkedSuffix, StringComparison.Ordinal))
        {
            return Results.Problem(statusCode: 400, title: "Not a parked queue",
                detail: $"Only parked queues (<queue>{RabbitMqManagement.ParkedSuffix}) can be looked into: a look at a live queue would reorder its tasks.");
        }

        try
        {
            return Results.Json(await management.PeekParkedAsync(name, count ?? 10, cancellationToken), DashboardJson.Options);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.ManagementUnavailable(logger, management.BaseAddress, ex);
            return Results.Problem(statusCode: 502, title: "RabbitMQ management API unavailable", detail: ex.GetBaseException().Message);
        }
    }

    private static async Task<IResult> Metrics(TaskMetrics metrics, StateCounts counts, WorkerBoard workers, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var text = PrometheusText.Write(metrics.Snapshot(), await counts.GetAsync(cancellationToken), workers.Snapshot(now), now);
        return Results.Text(text, PrometheusText.ContentType);
    }

    // Server-sent events: 'tasks', 'stats' and 'workers' as they happen, a comment every 15 s to keep proxies from closing it.
    // Ends when the page goes or the host stops: an open page must not hold up a shutdown.
    private static async Task Stream(HttpContext http, LiveHub hub, IHostApplicationLifetime lifetime)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = hub.Subscribe();
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = ending.Token;
        try
        {
            await response.WriteAsync("retry: 2000\n: connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                idle.CancelAfter(TimeSpan.FromSeconds(15));
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscription.Reader.TryRead(out var message))
                {
                    await response.WriteAsync($"event: {message.Event}\ndata: {message.Data}\n\n", aborted);
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away, or the host stops (the page's EventSource reconnects to the next one).
        }

    }
}

/// <summary>What a revoke from the dashboard did.</summary>
internal sealed record RevokeOutcome(bool Accepted, string? Detail, TaskView? Task);

/// <summary>The log category of the dashboard's requests (logins, refusals, actions).</summary>
internal sealed class DashboardAccessLog;
