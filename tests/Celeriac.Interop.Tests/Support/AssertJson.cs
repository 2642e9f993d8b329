using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Interop.Tests.Support;

/// <summary>Compares JSON by value (property order and whitespace aside), showing both texts on failure.</summary>
public static class AssertJson
{
    public static void Equal(string expected, JsonElement actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        var actualNode = JsonNode.Parse(actual.GetRawText());
        Assert.True(JsonNode.DeepEquals(expectedNode, actualNode), $"Expected JSON {expectedNode?.ToJsonString()}\nbut got       {actualNode?.ToJsonString()}");
    }
}
