using System.Text.Json;

namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>JSON assertions that print both sides.</summary>
public static class AssertJson
{
    /// <summary>Equal content, ignoring insignificant whitespace.</summary>
    public static void Equal(string expected, JsonElement actual) =>
        Assert.Equal(JsonShape.Normalize(System.Text.Encoding.UTF8.GetBytes(expected)), JsonShape.Normalize(System.Text.Encoding.UTF8.GetBytes(actual.GetRawText())));

    /// <summary>Equal content, ignoring insignificant whitespace.</summary>
    public static void Equal(JsonElement expected, JsonElement actual) => Equal(expected.GetRawText(), actual);
}
