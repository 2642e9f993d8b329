using Microsoft.Extensions.Options;

namespace Celeriac.Core.Revocation;

/// <summary>Rejects revocation settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class RevocationOptionsValidator : IValidateOptions<RevocationOptions>
{
    public ValidateOptionsResult Validate(string? name, RevocationOptions options)
    {
        var errors = new List<string>();
        if (options.MaxEntries < 1)
        {
            errors.Add($"RevocationOptions.MaxEntries (Celeriac:Revocation:MaxEntries) must be at least 1 (was {options.MaxEntries}).");
        }

        if (options.RetainFor <= TimeSpan.Zero)
        {
            errors.Add($"RevocationOptions.RetainFor (Celeriac:Revocation:RetainFor) must be positive (was {options.RetainFor}).");
        }

        if (!Enum.IsDefined(options.Source))
        {
            errors.Add($"RevocationOptions.Source (Celeriac:Revocation:Source) must be one of {string.Join(", ", Enum.GetNames<RevocationSource>())} (was {options.Source}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
