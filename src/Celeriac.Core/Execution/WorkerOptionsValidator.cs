using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>Rejects worker settings that cannot work, with a message that says which and why.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Hostname))
        {
            errors.Add("Hostname must not be empty.");
        }

        if (options.Concurrency < 1)
        {
            errors.Add($"Concurrency must be at least 1 (was {options.Concurrency}).");
        }

        if (options.PrefetchMultiplier < 0)
        {
            errors.Add($"PrefetchMultiplier must be 0 (unlimited) or more (was {options.PrefetchMultiplier}).");
        }

        if (options.Queues.Count == 0 || options.Queues.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Queues must name at least one queue, and no empty names.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add("ShutdownTimeout must not be negative.");
        }

        if (options.EtaHoldLimit < TimeSpan.Zero)
        {
            errors.Add("EtaHoldLimit must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
