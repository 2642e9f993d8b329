using System.Text.Json;

namespace Celeriac.Dashboard.Live;

/// <summary>Reading the fields of a Celery event (a JSON object) without trusting their types.</summary>
internal static class EventFields
{
    public static bool TryGetString(JsonElement element, string name, out string value)
    {
        value = "";
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property)
            && property.ValueKind == JsonValueKind.String && property.GetString() is { Length: > 0 } text)
        {
            value = text;
            return true;
        }

        return false;
    }

    public static bool TryGetDouble(JsonElement element, string name, out double value)
    {
        value = 0;
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number)
        {
            value = property.GetDouble();
            return true;
        }

        return false;
    }
}
