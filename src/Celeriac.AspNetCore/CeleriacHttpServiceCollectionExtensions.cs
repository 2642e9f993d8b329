using Celeriac.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds what the HTTP API needs in ASP.NET Core.</summary>
public static class CeleriacHttpServiceCollectionExtensions
{
    /// <summary>
    /// Adds API keys, problem details for every error (with <c>UseStatusCodePages()</c>, also for unknown routes)
    /// and the OpenAPI document (<c>/openapi/v1.json</c> once <c>MapOpenApi()</c> is called).
    /// </summary>
    public static IServiceCollection AddCeleriacHttpApi(this IServiceCollection services, IEnumerable<string>? apiKeys = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ApiKeyOptions>().Configure(o =>
        {
            foreach (var key in apiKeys ?? [])
            {
                o.Keys.Add(key);
            }
        });
        services.AddProblemDetails();
        services.AddOpenApi();
        return services;
    }
}
