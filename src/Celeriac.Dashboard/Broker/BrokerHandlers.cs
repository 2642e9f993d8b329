using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Celeriac.Dashboard.Broker;

/// <summary>Queue lengths and parked messages, from the management API.</summary>
internal static class BrokerHandlers
{
    internal static async Task<IResult> Queues(RabbitMqManagement management, ILogger<DashboardAccessLog> logger, CancellationToken cancellationToken)
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

    internal static async Task<IResult> ParkedMessages(string name, int? count, RabbitMqManagement management, ILogger<DashboardAccessLog> logger,
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
}
