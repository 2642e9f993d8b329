using Celeriac.Core.Execution;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Core.DependencyInjection;

/// <summary>Binds <see cref="WorkerOptions"/> from its configuration section.</summary>
internal static class WorkerOptionsBinding
{
    public const string Section = "Worker";

    public static void Bind(IConfiguration section, WorkerOptions options)
    {
        section.Bind(options);
        // The binder appends a configured list to the default one (["celery"] would stay): configured queues replace it.
        // A single value may also list them comma-separated, as CELERIAC__WORKER__QUEUES=celery,shop does.
        var queues = section.GetSection(nameof(WorkerOptions.Queues));
        if (queues.Exists())
        {
            options.Queues = ReadList(queues);
        }
    }

    /// <summary>The section's children's values, or its own value split at commas.</summary>
    public static List<string> ReadList(IConfigurationSection section)
    {
        var children = section.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return children.Count > 0 || section.Value is null
            ? children
            : [.. section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
