using System.Text.Json;
using Celeriac.Core.Execution.Workflow;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Execution.Workflow;

/// <summary>What follows a finished task, as Celery 5.2's worker sends it (trace.py, backends/base.py).</summary>
public sealed class WorkflowPlannerTests
{
    private const string ClientReplyTo = "712eb0bc-1fb8-3d0d-be25-0544a02c31c1";
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // The embed Celery 5.2.6 sends for (add.s(2, 2) | add.s(4) | add.s(8)).delay(): the rest of the chain, reversed, each
    // step frozen with its id and the client's reply queue (captured from Python).
    private const string ThreeStepChain = $$"""
        [{"task": "tasks.add", "args": [8], "kwargs": {}, "options": {"task_id": "2c081aa0-0934-4ff6-ba76-356c37930154", "reply_to": "{{ClientReplyTo}}"}, "subtask_type": null, "immutable": false},
         {"task": "tasks.add", "args": [4], "kwargs": {}, "options": {"task_id": "47f7e61c-4e65-4405-b20d-d583e9ab2406", "reply_to": "{{ClientReplyTo}}"}, "subtask_type": null, "immutable": false}]
        """;

    private static TaskMessage Parent(string? callbacks = null, string? errbacks = null, string? chain = null) => NewTask("tasks.add", "[2, 2]") with
    {
        Id = "03b93013-6467-4a93-a545-c30bb5735dd9",
        RootId = "root-1",
        Embed = new TaskEmbed(callbacks is null ? null : Json(callbacks), errbacks is null ? null : Json(errbacks), chain is null ? null : Json(chain), null),
    };

    private static string Sig(string task, string args = "[]", string options = "{}", bool immutable = false, string? type = null, string kwargs = "{}") =>
        $$"""{"task": "{{task}}", "args": {{args}}, "kwargs": {{kwargs}}, "options": {{options}}, "subtask_type": {{(type is null ? "null" : $"\"{type}\"")}}, "immutable": {{(immutable ? "true" : "false")}}}""";

    [Fact]
    public void OnSuccess_ThreeStepChain_SendsTheNextStepWithTheResultPrependedCarryingTheRest()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(chain: ThreeStepChain), Json("4"), s_now);

        var next = Assert.Single(plan.Messages);
        Assert.Equal(("", "celery"), (next.Exchange, next.RoutingKey));
        Assert.Equal("47f7e61c-4e65-4405-b20d-d583e9ab2406", next.Message.Id);
        Assert.Equal("tasks.add", next.Message.Name);
        AssertJson.Equal("[4, 4]", next.Message.Args);
        Assert.Equal("03b93013-6467-4a93-a545-c30bb5735dd9", next.Message.ParentId);
        Assert.Equal("root-1", next.Message.RootId);
        Assert.Equal(ClientReplyTo, next.Message.ReplyTo);
        var rest = next.Message.Embed.Chain!.Value;
        Assert.Equal(1, rest.GetArrayLength());
        Assert.Equal("2c081aa0-0934-4ff6-ba76-356c37930154", rest[0].GetProperty("options").GetProperty("task_id").GetString());
        Assert.Empty(plan.Abandoned);
    }

    [Fact]
    public void OnSuccess_LastChainStep_SendsItWithoutAChain()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(chain: $"[{Sig("tasks.add", "[8]")}]"), Json("8"), s_now);

        var next = Assert.Single(plan.Messages);
        AssertJson.Equal("[8, 8]", next.Message.Args);
        Assert.False(next.Message.Embed.HasWork);
    }

    [Fact]
    public void OnSuccess_ImmutableStep_KeepsItsOwnArguments()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(chain: $"[{Sig("tasks.add", "[1, 2]", immutable: true)}]"), Json("4"), s_now);

        AssertJson.Equal("[1, 2]", Assert.Single(plan.Messages).Message.Args);
    }

    [Fact]
    public void OnSuccess_OneCallback_SendsItWithTheResultUnderAStableIdAndNoGroup()
    {
        var parent = Parent(callbacks: $"[{Sig("tasks.add", "[10]")}]");

        var first = Assert.Single(WorkflowPlanner.OnSuccess(parent, Json("2"), s_now).Messages);
        var again = Assert.Single(WorkflowPlanner.OnSuccess(parent, Json("2"), s_now).Messages);

        AssertJson.Equal("[2, 10]", first.Message.Args);
        Assert.Equal(parent.Id, first.Message.ParentId);
        Assert.Equal("root-1", first.Message.RootId);
        Assert.Null(first.Message.GroupId);
        Assert.Null(first.Message.ReplyTo);
        Assert.True(Guid.TryParse(first.Message.Id, out _), $"expected a UUID, got {first.Message.Id}");
        Assert.Equal(first.Message.Id, again.Message.Id);
    }

    [Fact]
    public void OnSuccess_TwoCallbacks_SendsThemAsOneGroup()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(callbacks: $"[{Sig("tasks.add", "[1]")}, {Sig("tasks.echo")}]"), Json("2"), s_now);

        Assert.Equal(2, plan.Messages.Count);
        Assert.NotNull(plan.Messages[0].Message.GroupId);
        Assert.Equal(plan.Messages[0].Message.GroupId, plan.Messages[1].Message.GroupId);
        Assert.NotEqual(plan.Messages[0].Message.Id, plan.Messages[1].Message.Id);
        AssertJson.Equal("[2]", plan.Messages[1].Message.Args);
    }

    [Fact]
    public void OnSuccess_CallbackAndChain_SendsBoth()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(callbacks: $"[{Sig("tasks.echo")}]", chain: ThreeStepChain), Json("4"), s_now);

        Assert.Equal(["tasks.echo", "tasks.add"], plan.Messages.Select(m => m.Message.Name));
    }

    [Fact]
    public void OnSuccess_SignatureOptions_AreApplied()
    {
        const string options = """
            {"task_id": "t-1", "queue": "q2", "countdown": 30, "expires": 600, "priority": 7, "time_limit": 20, "soft_time_limit": 10,
             "shadow": "nice", "ignore_result": true, "group_id": "g-own", "link": {"task": "tasks.noop", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}}
            """;

        var next = Assert.Single(WorkflowPlanner.OnSuccess(Parent(callbacks: $"[{Sig("tasks.add", "[1]", options)}]"), Json("2"), s_now).Messages);

        Assert.Equal(("", "q2"), (next.Exchange, next.RoutingKey));
        var message = next.Message;
        Assert.Equal("t-1", message.Id);
        Assert.Equal(s_now.AddSeconds(30), message.Eta);
        Assert.Equal(s_now.AddSeconds(600), message.Expires);
        Assert.Equal(7, message.Priority);
        Assert.Equal((20d, 10d), (message.TimeLimit!.Value, message.SoftTimeLimit!.Value));
        Assert.Equal("nice", message.Shadow);
        Assert.True(message.IgnoreResult);
        Assert.Equal("g-own", message.GroupId);
        Assert.Equal("tasks.noop", message.Embed.Callbacks!.Value.GetProperty("task").GetString());
    }

    [Fact]
    public void OnSuccess_ExchangeAndRoutingKey_PublishedThere()
    {
        var next = Assert.Single(WorkflowPlanner.OnSuccess(
            Parent(callbacks: $$"""[{{Sig("tasks.add", "[1]", """{"exchange": "ex", "routing_key": "rk", "eta": "2026-03-01T13:00:00+00:00"}""")}}]"""),
            Json("2"), s_now).Messages);

        Assert.Equal(("ex", "rk"), (next.Exchange, next.RoutingKey));
        Assert.Equal(s_now.AddHours(1), next.Message.Eta);
    }

    [Fact]
    public void OnSuccess_GroupAsNextStep_SendsEveryMemberWithTheResultAndTheGroupId()
    {
        var group = Sig("celery.group", kwargs: $$"""{"tasks": [{{Sig("tasks.add", "[1]")}}, {{Sig("tasks.add", "[2]", immutable: true)}}]}""",
            options: """{"task_id": "g-1"}""", type: "group");

        var plan = WorkflowPlanner.OnSuccess(Parent(chain: $"[{group}]"), Json("5"), s_now);

        Assert.Equal(2, plan.Messages.Count);
        Assert.All(plan.Messages, m => Assert.Equal("g-1", m.Message.GroupId));
        AssertJson.Equal("[5, 1]", plan.Messages[0].Message.Args);
        AssertJson.Equal("[2]", plan.Messages[1].Message.Args);
    }

    [Fact]
    public void OnSuccess_ChainAsCallback_SendsItsFirstStepCarryingTheOthersReversed()
    {
        var chain = Sig("celery.chain", kwargs: $$"""{"tasks": [{{Sig("tasks.add", "[1]")}}, {{Sig("tasks.add", "[2]")}}, {{Sig("tasks.add", "[3]")}}]}""", type: "chain");

        var next = Assert.Single(WorkflowPlanner.OnSuccess(Parent(callbacks: $"[{chain}]"), Json("5"), s_now).Messages);

        AssertJson.Equal("[5, 1]", next.Message.Args);
        var rest = next.Message.Embed.Chain!.Value;
        Assert.Equal(["[3]", "[2]"], rest.EnumerateArray().Select(s => s.GetProperty("args").GetRawText()));
    }

    [Fact]
    public void OnSuccess_Chord_IsNamedUnsupportedAndNothingSent()
    {
        var plan = WorkflowPlanner.OnSuccess(Parent(callbacks: $"[{Sig("celery.chord", type: "chord")}]"), Json("5"), s_now);

        Assert.Empty(plan.Messages);
        Assert.Equal(["chord"], plan.Unsupported);
    }

    [Fact]
    public void OnSuccess_Errbacks_AreNotSent()
    {
        Assert.True(WorkflowPlanner.OnSuccess(Parent(errbacks: $"[{Sig("tasks.echo")}]"), Json("5"), s_now).IsEmpty);
    }

    [Fact]
    public void OnFailure_Errback_SentWithTheFailedTaskIdAsParentAndArgument()
    {
        var parent = Parent(errbacks: $$"""[{{Sig("tasks.echo", "[\"extra\"]", """{"task_id": "eb-1", "reply_to": "r-1"}""")}}]""");

        var plan = WorkflowPlanner.OnFailure(parent, s_now);

        var errback = Assert.Single(plan.Messages).Message;
        Assert.Equal("eb-1", errback.Id);
        AssertJson.Equal($"""["{parent.Id}", "extra"]""", errback.Args);
        Assert.Equal(parent.Id, errback.ParentId);
        Assert.Equal("root-1", errback.RootId);
        Assert.Equal("r-1", errback.ReplyTo);
        Assert.NotNull(errback.GroupId); // sent as group(errbacks), as Celery does
    }

    [Fact]
    public void OnFailure_Chain_NoStepSentAndEveryFrozenStepAbandoned()
    {
        var plan = WorkflowPlanner.OnFailure(Parent(callbacks: $"[{Sig("tasks.echo")}]", chain: ThreeStepChain), s_now);

        Assert.Empty(plan.Messages);
        Assert.Equal(
            [new AbandonedChainTask("2c081aa0-0934-4ff6-ba76-356c37930154", ClientReplyTo), new AbandonedChainTask("47f7e61c-4e65-4405-b20d-d583e9ab2406", ClientReplyTo)],
            plan.Abandoned);
    }

    [Fact]
    public void OnSuccess_SignatureWithoutTask_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => WorkflowPlanner.OnSuccess(Parent(callbacks: """[{"args": []}]"""), Json("5"), s_now));
    }

    [Fact]
    public void Derive_SameParentAndSlot_SameUuidOtherwiseDifferent()
    {
        var id = WorkflowIds.Derive("p-1", "callback/0");

        Assert.Equal(id, WorkflowIds.Derive("p-1", "callback/0"));
        Assert.NotEqual(id, WorkflowIds.Derive("p-1", "callback/1"));
        Assert.NotEqual(id, WorkflowIds.Derive("p-2", "callback/0"));
        Assert.Equal('8', id[14]);
        Assert.True(Guid.TryParse(id, out _));
    }

    [Fact]
    public void Encode_NextStep_RoundTripsThroughTheCodec()
    {
        var next = Assert.Single(WorkflowPlanner.OnSuccess(Parent(chain: ThreeStepChain), Json("4"), s_now).Messages).Message;

        var decoded = TaskMessageCodec.Decode(TaskMessageCodec.Encode(next));

        Assert.Equal(next.Id, decoded.Id);
        Assert.Equal("03b93013-6467-4a93-a545-c30bb5735dd9", decoded.ParentId);
        Assert.Equal("root-1", decoded.RootId);
        Assert.Equal(JsonValueKind.Array, decoded.Embed.Chain!.Value.ValueKind);
        Assert.Equal(ClientReplyTo, decoded.ReplyTo);
    }
}
