using Celeriac.AspNetCore.Api;
using Celeriac.Core.Records;
using Celeriac.Dashboard.Auth;
using Celeriac.Dashboard.Live;
using Celeriac.Dashboard.Metrics;
using Celeriac.Dashboard.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Dashboard.Tasks;

/// <summary>The task list, one task, revoke and terminate, and the counts with the chart.</summary>
internal static class TaskHandlers
{
    internal static async Task<IResult> ListTasks(HttpRequest request, ITaskStore store, CancellationToken cancellationToken)
    {
        if (!TaskListQuery.TryParse(request.Query, out var query, out var error))
        {
            return Results.Problem(statusCode: 400, title: "Invalid query", detail: error);
        }

        try
        {
            var page = await store.QueryAsync(query, cancellationToken);
            return Results.Json(new TaskListView(page.Items.Select(r => TaskView.Summary(r, DashboardDefaults.ListValueBytes)).ToArray(), page.NextCursor), DashboardJson.Options);
        }
        catch (FormatException ex)
        {
            return Results.Problem(statusCode: 400, title: "Invalid query", detail: ex.Message);
        }
    }

    internal static async Task<IResult> GetTask(string id, ITaskStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } record
            ? Results.Json(TaskView.From(record), DashboardJson.Options)
            : Results.Problem(statusCode: 404, title: "Unknown task", detail: $"No task with id '{id}'.");

    internal static async Task<IResult> Revoke(string id, bool? terminate, HttpContext http, ITaskStore store, DashboardEventFeed feed,
        ILogger<DashboardAccessLog> logger, CancellationToken cancellationToken)
    {
        if (!SameOriginCheck.IsSameOriginAction(http.Request))
        {
            return PageHandlers.CrossSite(http);
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

    internal static async Task<IResult> Stats(StateCounts counts, TaskMetrics metrics, TimeProvider time, CancellationToken cancellationToken) =>
        Results.Json(new StatsView(StateCounts.View(await counts.GetAsync(cancellationToken)), metrics.Throughput(time.GetUtcNow(), StatsView.BucketSeconds)),
            DashboardJson.Options);
}

/// <summary>What a revoke from the dashboard did.</summary>
internal sealed record RevokeOutcome(bool Accepted, string? Detail, TaskView? Task);
