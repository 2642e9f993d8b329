using Celeriac.Functions.TestHost.Rpc;
using Grpc.Core;

namespace Celeriac.Functions.TestHost;

/// <summary>The gRPC service the worker connects to (<c>--functions-uri</c>).</summary>
internal sealed class FunctionRpcService(WorkerConnection connection) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context) => connection.RunAsync(requestStream, responseStream, context.CancellationToken);
}
