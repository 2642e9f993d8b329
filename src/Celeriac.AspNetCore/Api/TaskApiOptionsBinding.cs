using Microsoft.Extensions.Configuration;

namespace Celeriac.AspNetCore.Api;

/// <summary>Binds <see cref="TaskApiOptions"/> from its configuration section.</summary>
internal static class TaskApiOptionsBinding
{
    public static void Bind(IConfiguration section, TaskApiOptions options)
    {
        section.Bind(options);
        // A single value may list the keys comma-separated, as CELERIAC__HTTP__APIKEYS=k1,k2 does; the binder
        // itself takes only the indexed form (ApiKeys:0, CELERIAC__HTTP__APIKEYS__0).
        var keys = section.GetSection(nameof(TaskApiOptions.ApiKeys));
        if (keys.Value is { } list && !keys.GetChildren().Any())
        {
            foreach (var key in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.ApiKeys.Add(key);
            }
        }
    }
}
