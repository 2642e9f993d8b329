using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Functions.Tests.Support;

/// <summary>
/// An HTTP trigger's request as the ASP.NET Core integration hands it to a function (a <see cref="DefaultHttpContext"/>),
/// and the function's <see cref="IResult"/> written out the way the integration writes it to the response.
/// </summary>
public static class HttpInvocation
{
    public static HttpRequest Request(IServiceProvider services, string method, string path, string? query = null, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        var request = context.Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 7071);
        request.Path = path;
        request.QueryString = query is null ? QueryString.Empty : new QueryString("?" + query);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = "application/json";
        }

        context.Response.Body = new MemoryStream();
        return request;
    }

    public static async Task<(int Status, string? ContentType, JsonElement Body, IHeaderDictionary Headers)> WriteAsync(IResult result, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        var response = request.HttpContext.Response;
        await result.ExecuteAsync(request.HttpContext);
        response.Body.Position = 0;
        var text = await new StreamReader(response.Body).ReadToEndAsync();
        return (response.StatusCode, response.ContentType, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers);
    }
}
