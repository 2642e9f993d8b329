using Celeriac.Core.Control;
using Celeriac.Core.Protocol;
using Celeriac.Core.Tests.GoldenWire;
using static Celeriac.Core.Tests.Fakes.TestMessages;

namespace Celeriac.Core.Tests.Control;

/// <summary>Every pidbox command Celery 5.2.6 sent decodes to what it says.</summary>
public sealed class ControlRequestGoldenTests
{
    public static TheoryData<string, string, string, string?, string?, long, double> Requests => new()
    {
        // file, method, arguments, ticket, reply routing key, clock, expires
        { "d_pidbox_control_revoke_reply_true.json", "revoke", """{"task_id": "5a617426-5ce9-4765-9f81-6dfaf246105b", "terminate": false, "signal": "SIGTERM"}""",
            "428bfdac-89ca-4719-85f2-9ad905da1d63", "6c1f0ad6-6271-36eb-a2ce-4329d68ac449", 4, 1795238597.202517 },
        { "d_pidbox_mingle_hello.json", "hello", """{"from_node": "w1@vm", "revoked": {}}""",
            "1f650d5b-6b59-493c-9e7c-cf6afd893966", "1851d80a-a992-3b59-b683-ffdf2a7710e0", 1, 1795238576.8453026 },
        { "d_pidbox_ping.json", "ping", "{}", "eb83a1cb-3043-4063-b5ce-b705b9975f39", "6c1f0ad6-6271-36eb-a2ce-4329d68ac449", 9, 1795238601.937832 },
        { "d_pidbox_revoke.json", "revoke", """{"task_id": "565e608b-09ae-4921-a110-8650e356c7d6", "terminate": false, "signal": null}""", null, null, 1, 0 },
        { "d_pidbox_revoke_terminate.json", "revoke", """{"task_id": "8dcb1ab4-9847-4175-8785-1d4be3e818f2", "terminate": true, "signal": null}""", null, null, 3, 0 },
        { "d_pidbox_wakeup_heartbeat.json", "heartbeat", "{}", null, null, 1, 1795238578.0876803 },
    };

    [Fact]
    public void Requests_CoverEveryGoldenControlRequest()
    {
        var requests = GoldenMessage.Files("d_").Where(f => !f.Contains("reply_to", StringComparison.Ordinal));

        Assert.Equal(requests, Requests.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Decode_GoldenRequest_ReadsEveryField(string file, string method, string arguments, string? ticket, string? replyKey, long clock, double expires)
    {
        var request = ControlRequest.Decode(GoldenMessage.Load(file).ToTransportMessage());

        Assert.Equal(method, request.Method);
        AssertJson.Equal(arguments, request.Arguments);
        Assert.Null(request.Destination);
        Assert.Null(request.Pattern);
        Assert.Null(request.Matcher);
        Assert.Equal(ticket, request.Ticket);
        Assert.Equal(replyKey, request.ReplyRoutingKey);
        Assert.Equal(replyKey is null ? null : "reply.celery.pidbox", request.ReplyExchange);
        Assert.Equal(ticket is not null, request.WantsReply);
        Assert.Equal(clock, request.Clock);
        Assert.Equal(expires, request.Expires);
    }

    [Fact]
    public void GetStrings_TaskIdAsStringOrList_ReadsEveryId()
    {
        var single = ControlRequest.Decode(ControlCommand("revoke", new { task_id = "a" }));
        var list = ControlRequest.Decode(ControlCommand("revoke", new { task_id = new[] { "a", "b" } }));

        Assert.Equal(["a"], single.GetStrings("task_id"));
        Assert.Equal(["a", "b"], list.GetStrings("task_id"));
        Assert.Empty(single.GetStrings("missing"));
    }

    [Theory]
    [InlineData("""{"arguments": {}}""", "application/json", "no 'method'")]
    [InlineData("""{"method": """, "application/json", "not valid JSON")]
    [InlineData("""{"method": "ping"}""", "application/x-python-serialize", "'application/x-python-serialize'")]
    public void Decode_NotACommand_SaysWhy(string body, string contentType, string expected)
    {
        var error = Assert.Throws<MessageDecodeException>(() => ControlRequest.Decode(Raw(body, contentType: contentType)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
