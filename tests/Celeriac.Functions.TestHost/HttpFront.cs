using System.Net;
using System.Text.Json;
using Celeriac.Functions.TestHost.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// Serves the app's HTTP functions as the host does with ASP.NET Core integration: a request matching a function's
/// route and method gets an invocation id, is forwarded as it is to the worker's own HTTP server with
/// <c>x-ms-invocation-id</c> (the client's Host kept), while the invocation (an empty HTTP value, route values as trigger metadata) goes over
/// gRPC; the worker pairs the two and answers on the HTTP connection. Not emulated: auth levels (every function is
/// open, as under <c>func start</c>), the host's own 404/500 pages.
/// </summary>
internal sealed class HttpFront : IAsyncDisposable
{
    private const string InvocationIdHeader = "x-ms-invocation-id";
    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private HttpFront(WebApplication app, HttpClient client, Uri address)
    {
        _app = app;
        _client = client;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<HttpFront> StartAsync(FunctionsTestHost host, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, host.Options.HttpPort));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var prefix = RoutePrefix(host.Options.AppDirectory);
        foreach (var function in host.Functions.Values.Where(f => f.TriggerType == "httpTrigger"))
        {
            var trigger = function.Trigger;
            var route = (string?)trigger["route"] ?? function.Name;
            var methods = trigger["methods"]?.AsArray().Select(m => ((string)m!).ToUpperInvariant()).ToArray() ?? ["GET", "POST"];
            app.MapMethods("/" + string.Join('/', new[] { prefix, route }.Where(p => p.Length > 0)), methods,
                context => ForwardAsync(host, client, function, context));
        }

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new HttpFront(app, client, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private static async Task ForwardAsync(FunctionsTestHost host, HttpClient client, LoadedFunction function, HttpContext context)
    {
        var invocationId = Guid.NewGuid().ToString();
        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in context.Request.RouteValues)
        {
            metadata[key] = new TypedData { String = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" };
        }

        var inputs = new[] { new ParameterBinding { Name = (string)function.Trigger["name"]!, Data = new TypedData { Http = new RpcHttp() } } };
        var invocation = host.InvokeAsync(function.Name, inputs, metadata, invocationId, context.RequestAborted);

        using var forwarded = new HttpRequestMessage(new HttpMethod(context.Request.Method),
            new Uri(host.WorkerHttpAddress, context.Request.Path.Value + context.Request.QueryString.Value));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forwarded.Content = new StreamContent(context.Request.Body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!s_hopByHop.Contains(name) && !forwarded.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forwarded.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        // The Host the client used is kept (and named again in X-Forwarded-*), so links the app writes point at this
        // front door, not at the worker's own port.
        forwarded.Headers.Host = context.Request.Host.Value;
        forwarded.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        forwarded.Headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        forwarded.Headers.Add(InvocationIdHeader, invocationId);
        using var response = await client.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!s_hopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        var result = await invocation;
        if (!result.Succeeded)
        {
            host.Options.Log($"test host: {function.Name} failed: {result.Error}");
        }
    }

    private static string RoutePrefix(string appDirectory)
    {
        var hostJson = FunctionsTestHost.ReadHostJson(appDirectory);
        return hostJson.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix) && prefix.ValueKind == JsonValueKind.String
                ? prefix.GetString()!.Trim('/')
                : "api";
    }
}
