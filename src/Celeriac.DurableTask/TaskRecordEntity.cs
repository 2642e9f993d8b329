using System.Text.Json;
using Celeriac.Core.Records;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;

namespace Celeriac.DurableTask;

/// <summary>
/// The Durable Entity that holds one task's record (entity name <see cref="EntityName"/>, key: the task id, after
/// the store's optional key prefix). Its state is the record's JSON text; every change goes through
/// <see cref="TaskStateMachine"/>, the same pure rules every other store applies, so a final state is never
/// overwritten, a late or repeated report changes nothing, and each applied change increments the version.
/// </summary>
/// <remarks>
/// <para>
/// A Functions app dispatches its entity trigger here:
/// <c>[Function(TaskRecordEntity.EntityName)] Task Run([EntityTrigger] TaskEntityDispatcher d) => d.DispatchAsync&lt;TaskRecordEntity&gt;();</c>.
/// </para>
/// <para>
/// The runtime runs one entity's operations one at a time, in the order its signals arrive from each sender, so
/// an operation reads the state the previous one left: the entity itself is the compare-and-set. A change that
/// cannot be read fails only its own operation (the runtime rolls that operation back and keeps the batch going).
/// </para>
/// </remarks>
public sealed class TaskRecordEntity : TaskEntity<string?>
{
    /// <summary>The entity name the trigger function is registered under (entity ids lower-case it).</summary>
    public const string EntityName = "TaskRecord";

    /// <summary>The operation that applies a change (input: the change's JSON text, as the store writes it).</summary>
    public const string ApplyOperation = "apply";

    /// <summary>The operation that returns the record's JSON text, or null.</summary>
    public const string GetOperation = "get";

    private readonly ILogger _logger;

    /// <summary>Creates the entity for one batch (the dispatcher builds it through DI).</summary>
    public TaskRecordEntity(ILogger<TaskRecordEntity> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <summary>
    /// Applies one change to the record: the transition, through <see cref="TaskStateMachine"/>. Returns whether
    /// the record changed (only callers that wait, i.e. orchestrations, see it; a signal's sender never does).
    /// </summary>
    /// <param name="change">The change's JSON text: <c>{"taskId": ..., "transition": {"kind": ..., ...}}</c>.</param>
    /// <exception cref="JsonException">The text is not a change.</exception>
    /// <exception cref="InvalidOperationException">The change names a task this entity does not hold.</exception>
    public bool Apply(string change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (taskId, transition) = TaskRecordJson.ReadChange(change);
        var key = Context.Id.Key;
        if (!key.EndsWith(taskId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"A change of task {taskId} was sent to entity {Context.Id}, which holds another task.");
        }

        var result = TaskStateMachine.Apply(TaskRecordJson.Read(State), taskId, transition);
        if (!result.WasApplied)
        {
            Log.ChangeIgnored(_logger, transition.GetType().Name, taskId, result.Reason);
            return false;
        }

        State = TaskRecordJson.Write(result.Record!);
        return true;
    }

    /// <summary>The record's JSON text, or null when the entity holds none.</summary>
    public string? Get() => State;

    /// <summary>No state until the first change: reading an unknown task creates nothing.</summary>
    protected override string? InitializeState(TaskEntityOperation entityOperation) => null;
}
