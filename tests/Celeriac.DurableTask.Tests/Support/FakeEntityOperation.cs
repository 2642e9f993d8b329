using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace Celeriac.DurableTask.Tests.Support;

/// <summary>One entity operation over the SDK's abstract types, with the state held in memory as the runtime would hold it.</summary>
internal sealed class FakeEntityOperation(string name, object? input, FakeEntityState state, string key = "t1") : TaskEntityOperation
{
    private readonly FakeEntityContext _context = new(new EntityInstanceId(TaskRecordEntity.EntityName, key));

    public override string Name => name;

    public override TaskEntityContext Context => _context;

    public override TaskEntityState State => state;

    public override bool HasInput => input is not null;

    public override object? GetInput(Type inputType) => input is null ? null : JsonSerializer.Deserialize(JsonSerializer.Serialize(input), inputType);
}

/// <summary>The entity's state, serialized between operations as the runtime does (so nothing leaks by reference).</summary>
internal sealed class FakeEntityState : TaskEntityState
{
    public string? Serialized { get; private set; }

    public override bool HasState => Serialized is not null;

    public override object? GetState(Type type) => Serialized is null ? null : JsonSerializer.Deserialize(Serialized, type);

    public override void SetState(object? state) => Serialized = state is null ? null : JsonSerializer.Serialize(state);
}

/// <summary>An entity context that only knows its id: the record entity sends nothing.</summary>
internal sealed class FakeEntityContext(EntityInstanceId id) : TaskEntityContext
{
    public override EntityInstanceId Id => id;

    public override void SignalEntity(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null) =>
        throw new InvalidOperationException("A task record entity never signals.");

    public override string ScheduleNewOrchestration(TaskName name, object? input = null, StartOrchestrationOptions? options = null) =>
        throw new InvalidOperationException("A task record entity never starts orchestrations.");
}
