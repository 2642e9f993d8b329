using Celeriac.Dashboard.Auth;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Dashboard.Tests.Unit;

public sealed class SameOriginCheckTests
{
    [Theory]
    [InlineData("same-origin", null, true, true)]
    [InlineData(null, "http://127.0.0.1:7071", true, true)]
    [InlineData(null, null, true, true)]
    [InlineData("same-origin", null, false, false)]
    [InlineData("cross-site", "http://127.0.0.1:7071", true, false)]
    [InlineData("same-site", null, true, false)]
    [InlineData(null, "http://attacker.test", true, false)]
    [InlineData(null, "null", true, false)]
    public void IsSameOriginAction_Headers_Decide(string? fetchSite, string? origin, bool actionHeader, bool expected)
    {
        Assert.Equal(expected, SameOriginCheck.IsSameOriginAction(Request(fetchSite, origin, actionHeader)));
    }

    [Theory]
    [InlineData("same-origin", "null", true)]
    [InlineData(null, "http://127.0.0.1:7071", true)]
    [InlineData(null, null, false)]
    [InlineData("cross-site", null, false)]
    [InlineData(null, "http://attacker.test", false)]
    public void IsSameOriginForm_Headers_Decide(string? fetchSite, string? origin, bool expected)
    {
        Assert.Equal(expected, SameOriginCheck.IsSameOriginForm(Request(fetchSite, origin, actionHeader: false)));
    }

    private static HttpRequest Request(string? fetchSite, string? origin, bool actionHeader)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 7071);
        context.Request.Method = "POST";
        if (fetchSite is not null)
        {
            context.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        if (actionHeader)
        {
            context.Request.Headers["X-Celeriac-Dashboard"] = "1";
        }

        return context.Request;
    }
}
