using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.AspNetCore.Api;

/// <summary>JSON settings of the HTTP API: camelCase, states as their wire names, no null members.</summary>
public static class ApiJson
{
    /// <summary>The options every host serialises <see cref="ApiResponse.Body"/> with.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
