using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Api;

/// <summary>Rejects API settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class TaskApiOptionsValidator : IValidateOptions<TaskApiOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskApiOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Queue))
        {
            errors.Add("TaskApiOptions.Queue (Celeriac:Http:Queue) must name a queue.");
        }

        if (options.MaxBodyBytes < 1)
        {
            errors.Add($"TaskApiOptions.MaxBodyBytes (Celeriac:Http:MaxBodyBytes) must be positive (was {options.MaxBodyBytes}).");
        }

        if (options.MaxListBytes < 1024)
        {
            errors.Add($"TaskApiOptions.MaxListBytes (Celeriac:Http:MaxListBytes) must be at least 1024 (was {options.MaxListBytes}).");
        }

        if (options.MaxListValueBytes < 16)
        {
            errors.Add($"TaskApiOptions.MaxListValueBytes (Celeriac:Http:MaxListValueBytes) must be at least 16 (was {options.MaxListValueBytes}).");
        }

        if (options.RetryAfterSeconds < 0)
        {
            errors.Add($"TaskApiOptions.RetryAfterSeconds (Celeriac:Http:RetryAfterSeconds) must not be negative (was {options.RetryAfterSeconds}).");
        }

        if (options.ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            // Never the keys themselves: they are secrets.
            errors.Add("TaskApiOptions.ApiKeys (Celeriac:Http:ApiKeys) must not contain an empty key.");
        }

        foreach (var origin in options.CorsOrigins)
        {
            // An origin is a scheme, a host and a port, nothing more; "*" would let every site call the API.
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.PathAndQuery != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.UserInfo))
            {
                errors.Add($"TaskApiOptions.CorsOrigins (Celeriac:Http:CorsOrigins) must hold origins such as https://app.example.com, without a path (was '{origin}').");
            }
        }

        if (options.Tasks.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("TaskApiOptions.Tasks (Celeriac:Http:Tasks) must not contain an empty name or pattern.");
        }

        if (options.WorkerTasksRefreshInterval <= TimeSpan.Zero)
        {
            errors.Add($"TaskApiOptions.WorkerTasksRefreshInterval (Celeriac:Http:WorkerTasksRefreshInterval) must be positive (was {options.WorkerTasksRefreshInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
