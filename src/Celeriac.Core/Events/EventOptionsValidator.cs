using Microsoft.Extensions.Options;

namespace Celeriac.Core.Events;

/// <summary>Rejects event settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    public ValidateOptionsResult Validate(string? name, EventOptions options) =>
        options.HeartbeatInterval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"EventOptions.HeartbeatInterval (Celeriac:Events:HeartbeatInterval) must be positive (was {options.HeartbeatInterval}).");
}
