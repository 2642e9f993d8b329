using Celeriac.AspNetCore.Api;
using Celeriac.AspNetCore.Endpoints;
using Celeriac.AspNetCore.Security;
using Celeriac.Core.DependencyInjection;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Celeriac's HTTP API to an ASP.NET Core app or an Azure Functions app.</summary>
public static class CeleriacHttpBuilderExtensions
{
    /// <summary>The sub-section of <c>AddCeleriac(configuration)</c>'s section the API's options bind from.</summary>
    public const string ConfigurationSection = "Http";

    /// <summary>The CORS policy of the API's endpoints, built from <see cref="TaskApiOptions.CorsOrigins"/>; the host calls <c>UseCors()</c>.</summary>
    public const string CorsPolicy = "Celeriac.Api";

    /// <summary>
    /// Adds the HTTP API: <see cref="TaskApi"/> (the behaviour), <see cref="TaskEndpoints"/> (the request handlers
    /// that <c>MapCeleriacApi()</c> maps and HTTP functions call), API keys, problem details for every error (with
    /// <c>UseStatusCodePages()</c>, also for unknown routes) and the OpenAPI document (<c>/openapi/v1.json</c> once
    /// <c>MapOpenApi()</c> is called). It needs a task store and a transport; the host fails at start without them.
    /// With <c>AddCeleriac(configuration)</c> the options are bound from its <c>Http</c> sub-section first; they are
    /// validated when the host starts.
    /// </summary>
    public static CeleriacBuilder AddHttpApi(this CeleriacBuilder builder, Action<TaskApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<TaskApiOptions>();
        if (builder.Configuration is { } configuration)
        {
            // Before the delegate, so options set in code win over Celeriac:Http.
            var section = configuration.GetSection(ConfigurationSection);
            options.Configure(o => TaskApiOptionsBinding.Bind(section, o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskApiOptions>, TaskApiOptionsValidator>());
        services.TryAddSingleton<ITaskNameCatalog, TaskNameCatalog>();
        services.TryAddSingleton<TaskApi>();
        services.TryAddSingleton<TaskEndpoints>();
        services.AddProblemDetails();
        services.AddOpenApi();
        // The API's endpoints require this policy when origins are configured (see MapCeleriacApi); other endpoints never.
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<TaskApiOptions>>((cors, api) => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins([.. api.Value.CorsOrigins])
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            .WithHeaders("Content-Type", "Authorization", ApiKeyCheck.HeaderName)
            .WithExposedHeaders("Location", "Retry-After")));
        return builder;
    }
}
