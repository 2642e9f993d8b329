using Celeriac.AspNetCore.Api;
using Celeriac.AspNetCore.Endpoints;
using Celeriac.Core.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Celeriac's HTTP API to an ASP.NET Core app or an Azure Functions app.</summary>
public static class CeleriacHttpBuilderExtensions
{
    /// <summary>
    /// Adds the HTTP API: <see cref="TaskApi"/> (the behaviour), <see cref="TaskEndpoints"/> (the request handlers
    /// that <c>MapCeleriacApi()</c> maps and HTTP functions call), API keys, problem details for every error (with
    /// <c>UseStatusCodePages()</c>, also for unknown routes) and the OpenAPI document (<c>/openapi/v1.json</c> once
    /// <c>MapOpenApi()</c> is called). It needs a task store and a transport; the host fails at start without them.
    /// </summary>
    public static CeleriacBuilder AddHttpApi(this CeleriacBuilder builder, Action<TaskApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<TaskApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.MaxBodyBytes > 0 && o.RetryAfterSeconds >= 0 && !string.IsNullOrWhiteSpace(o.Queue),
            "TaskApiOptions: MaxBodyBytes must be positive, RetryAfterSeconds not negative, and Queue named.").ValidateOnStart();
        services.TryAddSingleton<TaskApi>();
        services.TryAddSingleton<TaskEndpoints>();
        services.AddProblemDetails();
        services.AddOpenApi();
        return builder;
    }
}
