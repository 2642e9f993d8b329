using System.Text.Json;
using Celeriac.Core.Tests.Fakes;

namespace Celeriac.Core.Tests.Control;

internal static class ControlReplies
{
    /// <summary>The last control reply's value under this node's name.</summary>
    public static JsonElement Of(TestWorker worker)
    {
        var reply = worker.Publisher.Messages.Last(m => m.Exchange == "reply.celery.pidbox");
        var body = JsonDocument.Parse(reply.Message.Body).RootElement;
        Assert.Equal([TestWorker.Hostname], body.EnumerateObject().Select(p => p.Name));
        return body.GetProperty(TestWorker.Hostname).Clone();
    }
}
