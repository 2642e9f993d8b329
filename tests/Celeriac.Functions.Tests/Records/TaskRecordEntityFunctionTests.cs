using System.Reflection;
using System.Text.Json;
using Celeriac.Core.Execution;
using Celeriac.Core.Protocol;
using Celeriac.Core.Records;
using Celeriac.Core.States;
using Celeriac.DurableTask;
using Celeriac.Functions.Records;
using Google.Protobuf;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Functions.Tests.Records;

/// <summary>
/// The entity function through the SDK's own dispatcher: a real entity batch (the protobuf request the Durable
/// extension sends, base64 as the entityTrigger binding carries it) goes through <see cref="TaskEntityDispatcher"/>
/// to <see cref="TaskRecordEntity"/>, and the batch result the worker sends back is read as the extension reads it.
/// </summary>
public sealed class TaskRecordEntityFunctionTests
{
    [Fact(Timeout = 30_000)]
    public async Task Run_Batch_AppliesEachChangeThroughTheStateMachineAndAnswersGet()
    {
        var at = DateTimeOffset.UtcNow;
        var request = new EntityBatchRequest { InstanceId = "@taskrecord@t1" };
        request.Operations.Add(Apply(new TaskStarted(at, "celeriac-functions@a")));
        request.Operations.Add(Apply(new TaskFinished(at.AddSeconds(1), "celeriac-functions@a", TaskOutcome.Success(CeleryJson.ToElement(5), TimeSpan.FromSeconds(1)))));
        // Late: a final record is never overwritten, and the batch still answers it.
        request.Operations.Add(Apply(new TaskStarted(at.AddSeconds(2), "celeriac-functions@b")));
        request.Operations.Add(new OperationRequest { Operation = TaskRecordEntity.GetOperation, RequestId = Guid.NewGuid().ToString() });

        var result = await RunAsync(request);

        Assert.Equal(["true", "true", "false"], result.Results.Take(3).Select(r => r.Success?.Result));
        var record = TaskRecordJson.Read(JsonSerializer.Deserialize<string>(result.Results[3].Success.Result));
        Assert.NotNull(record);
        Assert.Equal((TaskState.Success, "celeriac-functions@a", "5"), (record.State, record.Worker, record.Result?.GetRawText()));
        Assert.Equal(record.Version, TaskRecordJson.Read(JsonSerializer.Deserialize<string>(result.EntityState))?.Version);
    }

    private static OperationRequest Apply(TaskTransition transition) => new()
    {
        Operation = TaskRecordEntity.ApplyOperation,
        RequestId = Guid.NewGuid().ToString(),
        Input = JsonSerializer.Serialize(TaskRecordJson.WriteChange("t1", transition)),
    };

    // The worker's entityTrigger converter makes the dispatcher from the binding's base64 batch (its constructor is
    // internal) and sends its Result back as the invocation's return value; both are reached here by reflection, and
    // the test names the constructor it found if the SDK changes it.
    private static async Task<EntityBatchResult> RunAsync(EntityBatchRequest request)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var constructor = typeof(TaskEntityDispatcher).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance).Single();
        var dispatcher = (TaskEntityDispatcher)constructor.Invoke(constructor.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(string) => (object)request.ToByteString().ToBase64(),
            var t when t == typeof(IServiceProvider) => services,
            // Extended sessions are off (host.json does not turn them on): the worker passes no cache.
            var t when t.Name == "ExtendedSessionsCache" => null,
            var t => throw new InvalidOperationException($"TaskEntityDispatcher({string.Join(", ", constructor.GetParameters().Select(p => $"{p.ParameterType} {p.Name}"))}): no value for {t}"),
        }).ToArray());

        await TaskRecordEntityFunction.Run(dispatcher);

        var encoded = (string)typeof(TaskEntityDispatcher).GetProperty("Result", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(dispatcher)!;
        var result = EntityBatchResult.Parser.ParseFrom(ByteString.FromBase64(encoded));
        Assert.Equal(request.Operations.Count, result.Results.Count);
        return result;
    }
}
