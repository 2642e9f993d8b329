using Microsoft.Extensions.Configuration;

namespace Celeriac.AspNetCore.Api;

/// <summary>Binds <see cref="TaskApiOptions"/> from its configuration section.</summary>
internal static class TaskApiOptionsBinding
{
    public static void Bind(IConfiguration section, TaskApiOptions options)
    {
        section.Bind(options);
        // A single value may list the keys comma-separated, as CELERIAC__HTTP__APIKEYS=k1,k2 does; the binder
        // itself takes only the indexed form (ApiKeys:0, CELERIAC__HTTP__APIKEYS__0). Tasks and CorsOrigins likewise.
        AddCommaSeparated(section.GetSection(nameof(TaskApiOptions.ApiKeys)), options.ApiKeys);
        AddCommaSeparated(section.GetSection(nameof(TaskApiOptions.Tasks)), options.Tasks);
        AddCommaSeparated(section.GetSection(nameof(TaskApiOptions.CorsOrigins)), options.CorsOrigins);
    }

    private static void AddCommaSeparated(IConfigurationSection section, IList<string> into)
    {
        if (section.Value is { } list && !section.GetChildren().Any())
        {
            foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                into.Add(item);
            }
        }
    }
}
