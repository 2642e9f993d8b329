using Microsoft.Extensions.Options;

namespace Celeriac.Core.Execution;

/// <summary>Rejects worker settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    // Longer would let a stuck task hold its slot for good in all but name.
    private static readonly TimeSpan s_maxAbandonGrace = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Hostname))
        {
            errors.Add("WorkerOptions.Hostname (Celeriac:Worker:Hostname) must not be empty.");
        }

        if (options.Concurrency < 1)
        {
            errors.Add($"WorkerOptions.Concurrency (Celeriac:Worker:Concurrency) must be at least 1 (was {options.Concurrency}).");
        }

        if (options.MaxDeliveries < 0)
        {
            errors.Add($"WorkerOptions.MaxDeliveries (Celeriac:Worker:MaxDeliveries) must be 0 (never park) or more (was {options.MaxDeliveries}).");
        }

        if (options.PrefetchMultiplier < 0)
        {
            errors.Add($"WorkerOptions.PrefetchMultiplier (Celeriac:Worker:PrefetchMultiplier) must be 0 (unlimited) or more (was {options.PrefetchMultiplier}).");
        }

        if (options.Queues.Count == 0 || options.Queues.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("WorkerOptions.Queues (Celeriac:Worker:Queues) must name at least one queue, and no empty names.");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add($"WorkerOptions.ShutdownTimeout (Celeriac:Worker:ShutdownTimeout) must not be negative (was {options.ShutdownTimeout}).");
        }

        if (options.EtaHoldLimit < TimeSpan.Zero)
        {
            errors.Add($"WorkerOptions.EtaHoldLimit (Celeriac:Worker:EtaHoldLimit) must not be negative (was {options.EtaHoldLimit}).");
        }

        if (options.AbandonGrace <= TimeSpan.Zero || options.AbandonGrace > s_maxAbandonGrace)
        {
            errors.Add($"WorkerOptions.AbandonGrace (Celeriac:Worker:AbandonGrace) must be more than 0 and at most {s_maxAbandonGrace} (was {options.AbandonGrace}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
