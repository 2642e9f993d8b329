using Celeriac.Core.Tests.Fakes;
using Celeriac.Core.Tests.GoldenWire;

namespace Celeriac.Core.Tests.Control;

/// <summary>Replies to Celery's captured control commands are Celery's captured replies.</summary>
public sealed class ControlReplyGoldenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("d_pidbox_ping.json", "d_pidbox_reply_to_ping.json")]
    [InlineData("d_pidbox_control_revoke_reply_true.json", "d_pidbox_reply_to_revoke.json")]
    public async Task HandleAsync_GoldenRequest_RepliesWithTheGoldenReply(string requestFile, string replyFile)
    {
        await using var worker = TestWorker.Create(output);
        var request = GoldenMessage.Load(requestFile);
        var golden = GoldenMessage.Load(replyFile);

        await worker.Control.HandleAsync(request.ToTransportMessage(), default);

        var reply = Assert.Single(worker.Publisher.Messages);
        GoldenAssert.SameEnvelope(golden, reply);
        Assert.False(reply.RequiresConfirmation);
        Assert.Equal(golden.Headers["ticket"], reply.Message.Headers["ticket"]);
        Assert.True((int)reply.Message.Headers["clock"]! > (int)request.Headers["clock"]!, "the reply's clock is past the request's");
        Assert.Equal(JsonShape.Normalize(golden.Body), JsonShape.Normalize(reply.Message.Body));
    }
}
