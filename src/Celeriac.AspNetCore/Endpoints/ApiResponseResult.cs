using System.Globalization;
using System.Text.Json;
using Celeriac.AspNetCore.Api;
using Microsoft.AspNetCore.Http;

namespace Celeriac.AspNetCore.Endpoints;

/// <summary>Writes a host-free <see cref="ApiResponse"/> as an ASP.NET Core result.</summary>
internal sealed class ApiResponseResult(ApiResponse response) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var http = httpContext.Response;
        http.StatusCode = response.StatusCode;
        if (response.Location is { } location)
        {
            http.Headers.Location = location;
        }

        if (response.RetryAfterSeconds is { } retryAfter)
        {
            http.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (response.Body is not null)
        {
            // Serialised in full before the status line goes out: an answer is complete, with its Content-Length,
            // or not sent at all (a failure half way used to leave a 200 whose body stopped mid-way).
            var body = JsonSerializer.SerializeToUtf8Bytes(response.Body, response.Body.GetType(), ApiJson.Options);
            http.ContentType = response.ContentType;
            http.ContentLength = body.Length;
            await http.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
