using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Dashboard;

/// <summary>How the dashboard writes JSON: camelCase, nulls left out, HTML-sensitive characters escaped.</summary>
internal static class DashboardJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
