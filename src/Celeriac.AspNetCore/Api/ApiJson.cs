using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Celeriac.Core.Protocol;

namespace Celeriac.AspNetCore.Api;

/// <summary>JSON settings of the HTTP API: camelCase, states as their wire names, no null members.</summary>
public static class ApiJson
{
    /// <summary>The options every host serialises <see cref="ApiResponse.Body"/> with.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // Whatever the API and the worker accept must be served back: arguments as deep as the worker reads
            // (CeleryJson.MaxDepth), inside a view inside a list. The default, 64, made a task accepted at depth 62
            // break every later GET and listing that included it.
            MaxDepth = CeleryJson.MaxDepth + 16,
        };
        // Arguments and results as their exact text: a lone surrogate escape (which Celery's JSON carries) is served
        // back as sent instead of failing the answer.
        options.Converters.Add(CeleryJson.RawElementConverter);
        return options;
    }
}
