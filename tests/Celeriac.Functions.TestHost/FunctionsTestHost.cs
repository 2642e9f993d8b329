using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Functions.TestHost.Rpc;
using Celeriac.Testing;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Functions.TestHost;

/// <summary>
/// Test infrastructure standing in for the Azure Functions host: it starts the real worker process of an isolated app,
/// speaks the host's gRPC protocol to it (init, metadata, load, invoke), serves the app's HTTP functions through the
/// ASP.NET Core integration's proxy path, and runs an emulated RabbitMQ listener per rabbitMQTrigger function.
/// </summary>
public sealed class FunctionsTestHost : IAsyncDisposable
{
    private const string HostVersion = "4.1037.0";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly FunctionsTestHostOptions _options;
    private readonly WorkerConnection _connection;
    private readonly WebApplication _grpc;
    private readonly List<IAsyncDisposable> _parts = [];
    private ManagedProcess? _worker;

    private FunctionsTestHost(FunctionsTestHostOptions options, WorkerConnection connection, WebApplication grpc)
    {
        _options = options;
        _connection = connection;
        _grpc = grpc;
    }

    /// <summary>The functions the worker loaded, by name.</summary>
    public IReadOnlyDictionary<string, LoadedFunction> Functions { get; private set; } = new Dictionary<string, LoadedFunction>();

    /// <summary>Where the HTTP functions are served, e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>The worker's own HTTP address (the <c>HttpUri</c> capability) that requests are proxied to.</summary>
    public Uri WorkerHttpAddress { get; private set; } = null!;

    /// <summary>The worker process.</summary>
    public ManagedProcess Worker => _worker ?? throw new InvalidOperationException("Not started.");

    internal FunctionsTestHostOptions Options => _options;

    /// <summary>Starts the host and the worker, loads every function, then serves HTTP and consumes the trigger queues.</summary>
    public static async Task<FunctionsTestHost> StartAsync(FunctionsTestHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new WorkerConnection(options.Log);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(connection);
        var grpc = builder.Build();
        grpc.MapGrpcService<FunctionRpcService>();
        var host = new FunctionsTestHost(options, connection, grpc);
        try
        {
            await grpc.StartAsync(cancellationToken);
            await host.StartWorkerAsync(cancellationToken);
            await host.ServeAsync(cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Invokes a function with the given inputs and trigger metadata, adding a <c>[DurableClient]</c> payload where it has one.</summary>
    public async Task<InvocationResult> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData>? triggerMetadata,
        string? invocationId = null, CancellationToken cancellationToken = default)
    {
        var function = Functions[functionName];
        var request = new InvocationRequest
        {
            InvocationId = invocationId ?? Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            // Required: the worker's invocation reads it unconditionally.
            TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00", TraceState = "" },
        };
        request.InputData.AddRange(inputs);
        foreach (var client in function.BindingsOfType("durableClient"))
        {
            var payload = _options.DurableClientPayload?.Invoke()
                ?? throw new InvalidOperationException($"{functionName} takes a [DurableClient], and the test host has no Durable extension to point it at.");
            request.InputData.Add(new ParameterBinding { Name = (string)client["name"]!, Data = new TypedData { String = payload } });
        }

        foreach (var (key, value) in triggerMetadata ?? new Dictionary<string, TypedData>())
        {
            request.TriggerMetadata[key] = value;
        }

        var response = (await _connection.RequestAsync(new StreamingMessage { InvocationRequest = request },
            ResponseKeys.Invocation(request.InvocationId), cancellationToken)).InvocationResponse;
        var succeeded = response.Result.Status == StatusResult.Types.Status.Success;
        var returned = response.ReturnValue?.DataCase switch
        {
            TypedData.DataOneofCase.String => response.ReturnValue.String,
            TypedData.DataOneofCase.Json => response.ReturnValue.Json,
            _ => null,
        };
        return new InvocationResult(succeeded, succeeded ? null : response.Result.Exception?.Message ?? response.Result.Result, returned);
    }

    /// <summary>Runs a Durable entity batch (base64 <c>EntityBatchRequest</c>) through the app's entity function; returns the base64 <c>EntityBatchResult</c>.</summary>
    public async Task<string> RunEntityBatchAsync(string entityName, string base64Batch, CancellationToken cancellationToken = default)
    {
        var function = Functions.Values.Single(f => f.TriggerType == "entityTrigger"
            && string.Equals((string?)f.Trigger["entityName"] ?? f.Name, entityName, StringComparison.OrdinalIgnoreCase));
        var result = await InvokeAsync(function.Name, [new ParameterBinding { Name = (string)function.Trigger["name"]!, Data = new TypedData { String = base64Batch } }],
            null, cancellationToken: cancellationToken);
        return result.Succeeded && result.ReturnValue is { } batchResult
            ? batchResult
            : throw new InvalidOperationException($"The entity function {function.Name} failed: {result.Error}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        for (var i = _parts.Count - 1; i >= 0; i--)
        {
            await _parts[i].DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
    }

    private async Task StartWorkerAsync(CancellationToken cancellationToken)
    {
        var grpcAddress = _grpc.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var workerId = Guid.NewGuid().ToString();
        var environment = new Dictionary<string, string>(_options.AppSettings)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = _options.AppDirectory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = _options.AppDirectory,
        };
        // The argument line the host builds for a dotnet-isolated worker (RpcWorkerContext); without the message
        // length the worker's gRPC client would accept no message at all.
        _worker = ManagedProcess.Start("dotnet",
            [_options.AppDll, "--functions-uri", grpcAddress + "/", "--functions-worker-id", workerId, "--functions-request-id", Guid.NewGuid().ToString(),
                "--functions-grpc-max-message-length", int.MaxValue.ToString(CultureInfo.InvariantCulture)],
            environment, _options.AppDirectory, _options.Log, "worker");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_startTimeout);
        await _connection.Started.WaitAsync(timeout.Token);

        var init = (await _connection.RequestAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            WorkerInitRequest = new WorkerInitRequest { HostVersion = HostVersion, WorkerDirectory = _options.AppDirectory, FunctionAppDirectory = _options.AppDirectory },
        }, ResponseKeys.Init, timeout.Token)).WorkerInitResponse;
        EnsureSuccess(init.Result, "worker init");
        WorkerHttpAddress = new Uri(init.Capabilities.TryGetValue("HttpUri", out var httpUri)
            ? httpUri
            : throw new InvalidOperationException("The worker reported no HttpUri capability (is ASP.NET Core integration configured?)."));

        var metadata = (await _connection.RequestAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _options.AppDirectory },
        }, ResponseKeys.Metadata, timeout.Token)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "function metadata");

        var functions = new Dictionary<string, LoadedFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in metadata.FunctionMetadataResults)
        {
            functions[entry.Name] = await LoadAsync(entry, timeout.Token);
        }

        Functions = functions;
        _options.Log($"test host: worker loaded {string.Join(", ", functions.Keys)}");
    }

    private async Task<LoadedFunction> LoadAsync(RpcFunctionMetadata entry, CancellationToken cancellationToken)
    {
        var bindings = entry.RawBindings.Select(raw => JsonNode.Parse(raw)!.AsObject()).ToArray();
        var metadata = entry.Clone();
        foreach (var binding in bindings)
        {
            // The host's BindingInfo: what the worker's converters look at when they bind each parameter.
            metadata.Bindings[(string)binding["name"]!] = new BindingInfo
            {
                Type = (string)binding["type"]!,
                Direction = ((string?)binding["direction"])?.ToUpperInvariant() switch
                {
                    "OUT" => BindingInfo.Types.Direction.Out,
                    "INOUT" => BindingInfo.Types.Direction.Inout,
                    _ => BindingInfo.Types.Direction.In,
                },
                DataType = ((string?)binding["dataType"])?.ToUpperInvariant() switch
                {
                    "STRING" => BindingInfo.Types.DataType.String,
                    "BINARY" => BindingInfo.Types.DataType.Binary,
                    "STREAM" => BindingInfo.Types.DataType.Stream,
                    _ => BindingInfo.Types.DataType.Undefined,
                },
            };
        }

        var response = (await _connection.RequestAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            FunctionLoadRequest = new FunctionLoadRequest { FunctionId = entry.FunctionId, Metadata = metadata },
        }, ResponseKeys.Load(entry.FunctionId), cancellationToken)).FunctionLoadResponse;
        EnsureSuccess(response.Result, $"loading {entry.Name}");
        return new LoadedFunction(entry.Name, entry.FunctionId, bindings);
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        var http = await HttpFront.StartAsync(this, cancellationToken);
        _parts.Add(http);
        HttpAddress = http.Address;
        if (_options.RunRabbitMqListeners)
        {
            foreach (var function in Functions.Values.Where(f => f.TriggerType == "rabbitMQTrigger"))
            {
                _parts.Add(await RabbitMqListener.StartAsync(this, function, cancellationToken));
            }
        }
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {what}: {result?.Exception?.Message ?? result?.Result}");
        }
    }

    internal static JsonElement ReadHostJson(string appDirectory)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
        return document.RootElement.Clone();
    }

    internal static ByteString Bytes(ReadOnlySpan<byte> bytes) => ByteString.CopyFrom(bytes);
}
