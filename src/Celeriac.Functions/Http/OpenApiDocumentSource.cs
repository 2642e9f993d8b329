using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;

namespace Celeriac.Functions.Http;

/// <summary>
/// The OpenAPI document <c>celeriac serve</c> serves at <c>/openapi/v1.json</c>, made the same way: the API's routes as
/// <c>MapCeleriacApi()</c> declares them, described by ASP.NET Core's OpenAPI generator. The Functions worker has no
/// minimal-API routes of its own, so the routes are declared once in a private application, started on a loopback port
/// just long enough for its routing to publish them (the generator reads the running endpoints), and its document
/// (written once, then kept) is what the function returns.
/// </summary>
internal sealed class OpenApiDocumentSource : IAsyncDisposable
{
    private readonly Lazy<Task<string>> _document;
    private WebApplication? _describer;

    public OpenApiDocumentSource() => _document = new Lazy<Task<string>>(WriteAsync);

    /// <summary>The document as JSON text.</summary>
    public Task<string> GetAsync() => _document.Value;

    public async ValueTask DisposeAsync()
    {
        if (_describer is not null)
        {
            await _describer.DisposeAsync();
        }
    }

    private async Task<string> WriteAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The HTTP API's registration as the server makes it (TaskEndpoints a service, the OpenAPI generator); nothing
        // here is ever resolved but the document provider, and no request ever reaches it.
        builder.Services.AddCeleriac().AddHttpApi();
        _describer = builder.Build();
        _describer.MapCeleriacApi();
        await _describer.StartAsync();
        OpenApiDocument document;
        try
        {
            document = await _describer.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1").GetOpenApiDocumentAsync();
        }
        finally
        {
            await _describer.StopAsync();
        }

        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }
}
