using Microsoft.Extensions.Options;

namespace Celeriac.Core.Events;

/// <summary>Rejects event settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    /// <summary>The largest <see cref="EventOptions.MaxTaskEventsPerMessage"/>: a batch is one message, held in memory.</summary>
    public const int MaxTaskEventsPerMessageLimit = 1000;

    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            failures.Add($"EventOptions.HeartbeatInterval (Celeriac:Events:HeartbeatInterval) must be positive (was {options.HeartbeatInterval}).");
        }

        if (options.MaxTaskEventsPerMessage is < 1 or > MaxTaskEventsPerMessageLimit)
        {
            failures.Add(
                $"EventOptions.MaxTaskEventsPerMessage (Celeriac:Events:MaxTaskEventsPerMessage) must be from 1 to {MaxTaskEventsPerMessageLimit} (was {options.MaxTaskEventsPerMessage}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
