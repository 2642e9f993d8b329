using System.Buffers;
using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>
/// What Celery 5.2's worker sends after a task ends (<c>celery/app/trace.py</c>, <c>backends/base.py</c>), as a pure
/// function of the finished message and its outcome:
/// <list type="bullet">
/// <item>SUCCESS: each callback (<c>link=</c>) with the result prepended to its args; more than one callback go out as
/// one group. Then the next chain step (the chain is stored reversed: the last element) with the result prepended,
/// carrying the rest of the chain.</item>
/// <item>FAILURE: the errbacks (<c>link_error=</c>) as one group, each with the failed task's id prepended (Celery's
/// task-style errback); and every remaining chain step that has an id is reported failed with the same error.</item>
/// </list>
/// Every message sent has <c>parent_id</c> = the finished task and the same <c>root_id</c>. An immutable signature
/// (<c>si()</c>) takes no argument from its parent.
/// </summary>
internal static class WorkflowPlanner
{
    /// <summary>Where a signature without a queue goes: Celery's <c>task_default_queue</c>.</summary>
    public const string DefaultQueue = "celery";

    /// <summary>The workflow after <paramref name="parent"/> returned <paramref name="result"/>.</summary>
    public static WorkflowPlan OnSuccess(TaskMessage parent, JsonElement result, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var builder = new PlanBuilder(parent, now);
        JsonElement[] prepend = [result];

        var callbacks = Signature.ParseList(parent.Embed.Callbacks);
        if (callbacks.Count == 1)
        {
            builder.Apply(callbacks[0], prepend, chain: null, groupId: null, "callback/0");
        }
        else if (callbacks.Count > 1)
        {
            // trace.py: group callbacks go out as their own groups, the other callbacks together as one new group.
            var tasks = new List<Signature>();
            for (var i = 0; i < callbacks.Count; i++)
            {
                if (callbacks[i].SubtaskType == "group")
                {
                    builder.Apply(callbacks[i], prepend, chain: null, groupId: null, $"callback/{i}");
                }
                else
                {
                    tasks.Add(callbacks[i]);
                }
            }

            builder.ApplyGroup(tasks, WorkflowIds.Derive(parent.Id, "callbacks"), prepend, chain: null, "callbacks");
        }

        if (ChainSteps(parent) is { Count: > 0 } steps)
        {
            var rest = steps.Count > 1 ? ToArray(steps.Take(steps.Count - 1)) : (JsonElement?)null;
            builder.Apply(Signature.Parse(steps[^1]), prepend, rest, groupId: null, "chain");
        }

        return builder.Build();
    }

    /// <summary>
    /// The chord body after <paramref name="lastPart"/> completed its header: <c>body.delay(results)</c>, sent from
    /// the last part (its parent) with the parts' results as one list.
    /// </summary>
    public static WorkflowPlan OnChordComplete(TaskMessage lastPart, Signature body, JsonElement results, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lastPart);
        ArgumentNullException.ThrowIfNull(body);
        var builder = new PlanBuilder(lastPart, now);
        builder.Apply(body, [results], chain: null, groupId: null, "chord");
        return builder.Build();
    }

    /// <summary>The workflow after <paramref name="parent"/> failed.</summary>
    public static WorkflowPlan OnFailure(TaskMessage parent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var builder = new PlanBuilder(parent, now);

        // backends/base.py mark_as_failure: the failure is stored for every chain step that has an id, so a client
        // waiting on the chain's last result gets the error instead of waiting forever.
        foreach (var step in ChainSteps(parent))
        {
            var signature = Signature.Parse(step);
            if (signature.GetString("task_id") is { Length: > 0 } id && signature.GetString("reply_to") is { Length: > 0 } replyTo)
            {
                builder.Abandon(new AbandonedChainTask(id, replyTo));
            }
        }

        // _call_task_errbacks: errbacks that take only a task id are sent as one group with the failed task's id.
        // (Celery calls an errback whose function takes (request, exc, traceback) in the worker process instead; a
        // .NET worker cannot call a Python function, so every errback is sent as a task.)
        var errbacks = Signature.ParseList(parent.Embed.Errbacks);
        if (errbacks.Count > 0)
        {
            JsonElement[] prepend = [CeleryJson.ToElement(parent.Id)];
            builder.ApplyGroup(errbacks, WorkflowIds.Derive(parent.Id, "errbacks"), prepend, chain: null, "errbacks");
        }

        return builder.Build();
    }

    private static IReadOnlyList<JsonElement> ChainSteps(TaskMessage parent) =>
        parent.Embed.Chain is { ValueKind: JsonValueKind.Array } chain ? chain.EnumerateArray().ToArray() : [];

    internal static JsonElement ToArray(IEnumerable<JsonElement> items)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                CeleryJson.WriteValue(writer, item);
            }

            writer.WriteEndArray();
        }

        using var document = CeleryJson.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private sealed class PlanBuilder(TaskMessage parent, DateTimeOffset now)
    {
        private readonly List<Continuation> _messages = [];
        private readonly List<AbandonedChainTask> _abandoned = [];
        private readonly List<string> _unsupported = [];

        private string RootId => string.IsNullOrEmpty(parent.RootId) ? parent.Id : parent.RootId;

        public WorkflowPlan Build() => _messages.Count == 0 && _abandoned.Count == 0 && _unsupported.Count == 0
            ? WorkflowPlan.Empty
            : new WorkflowPlan(_messages, _abandoned, _unsupported);

        public void Abandon(AbandonedChainTask task) => _abandoned.Add(task);

        /// <summary><c>signature.apply_async(prepend, chain=chain, parent_id=parent.id, root_id=parent.root_id)</c>.</summary>
        public void Apply(Signature signature, JsonElement[] prepend, JsonElement? chain, string? groupId, string slot)
        {
            switch (signature.SubtaskType)
            {
                case null:
                    _messages.Add(Message(signature, prepend, chain, groupId, slot));
                    break;
                case "group":
                    ApplyGroup(signature.Members, signature.GetString("task_id") ?? WorkflowIds.Derive(parent.Id, slot),
                        signature.Immutable ? [] : prepend, chain, slot);
                    break;
                case "chain" when signature.Members is { Count: > 0 } members:
                    // chain.run: the first step gets the arguments, the others travel with it, reversed.
                    var rest = members.Count > 1 ? ToArray(members.Skip(1).Reverse().Select(static m => m.Raw)) : chain;
                    Apply(members[0], signature.Immutable ? [] : prepend, rest, groupId, slot + "/0");
                    break;
                case "chain":
                    break;
                default:
                    _unsupported.Add(signature.SubtaskType);
                    break;
            }
        }

        /// <summary><c>group(signatures).apply_async(prepend, ...)</c>: every member with the group's id; nested groups unrolled into it.</summary>
        public void ApplyGroup(IReadOnlyList<Signature> members, string groupId, JsonElement[] prepend, JsonElement? chain, string slot)
        {
            for (var i = 0; i < members.Count; i++)
            {
                var member = members[i];
                if (member.SubtaskType == "group")
                {
                    ApplyGroup(member.Members, groupId, member.Immutable ? [] : prepend, chain, $"{slot}/{i}");
                }
                else
                {
                    Apply(member, prepend, chain, groupId, $"{slot}/{i}");
                }
            }
        }

        private Continuation Message(Signature signature, JsonElement[] prepend, JsonElement? chain, string? groupId, string slot)
        {
            var args = signature.Immutable || prepend.Length == 0 ? signature.Args : ToArray(prepend.Concat(signature.Args.EnumerateArray()));
            var countdown = signature.GetNumber("countdown");
            var expires = signature.GetOption("expires");
            var (hard, soft) = (signature.GetNumber("time_limit"), signature.GetNumber("soft_time_limit"));
            var message = new TaskMessage
            {
                Id = signature.GetString("task_id") ?? WorkflowIds.Derive(parent.Id, slot),
                Name = signature.Task,
                Args = args,
                Kwargs = signature.Kwargs,
                Embed = new TaskEmbed(signature.GetOption("link"), signature.GetOption("link_error"), chain, signature.GetOption("chord")),
                Retries = (int)(signature.GetNumber("retries") ?? 0),
                Eta = countdown is { } seconds ? now.AddSeconds(seconds) : Time(signature.GetOption("eta")),
                Expires = expires is { ValueKind: JsonValueKind.Number } after ? now.AddSeconds(after.GetDouble()) : Time(expires),
                TimeLimit = hard,
                SoftTimeLimit = soft,
                RootId = RootId,
                ParentId = parent.Id,
                // Celery keeps a signature's own group_id over the one it is applied with (_IMMUTABLE_OPTIONS).
                GroupId = signature.GetString("group_id") ?? groupId,
                GroupIndex = signature.GetNumber("group_index") is { } index ? (int)index : null,
                Shadow = signature.GetString("shadow"),
                IgnoreResult = signature.GetBoolean("ignore_result") ?? false,
                // A signature the client froze names its reply queue; one it did not gets no rpc:// result (Celery
                // would send it to the worker's own reply queue, which nobody reads).
                ReplyTo = signature.GetString("reply_to"),
                Priority = signature.GetNumber("priority") is { } priority ? (byte)Math.Clamp(priority, 0, 255) : (byte)0,
            };

            var exchange = signature.GetString("exchange") ?? "";
            var routingKey = signature.GetString("routing_key") ?? signature.GetString("queue") ?? DefaultQueue;
            return new Continuation(exchange, routingKey, message);
        }

        private static DateTimeOffset? Time(JsonElement? value) => value switch
        {
            { ValueKind: JsonValueKind.String } text => CeleryTime.Parse(text.GetString()),
            // kombu >= 5.3 writes a datetime as {"__type__": "datetime", "__value__": "..."}.
            { ValueKind: JsonValueKind.Object } typed when typed.TryGetProperty("__value__", out var inner) && inner.ValueKind == JsonValueKind.String =>
                CeleryTime.Parse(inner.GetString()),
            _ => null,
        };
    }
}
