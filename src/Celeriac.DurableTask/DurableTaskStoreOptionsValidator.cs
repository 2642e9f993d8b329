using Microsoft.Extensions.Options;

namespace Celeriac.DurableTask;

/// <summary>Rejects entity store settings that cannot work, saying which and why.</summary>
internal sealed class DurableTaskStoreOptionsValidator : IValidateOptions<DurableTaskStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableTaskStoreOptions options)
    {
        var errors = new List<string>();
        if (options.KeyPrefix is null)
        {
            errors.Add("KeyPrefix must not be null; leave it empty for none.");
        }

        if (options.QueryPageSize is < 1 or > DurableTaskStoreOptions.MaxQueryPageSize)
        {
            errors.Add($"QueryPageSize must be between 1 and {DurableTaskStoreOptions.MaxQueryPageSize} (was {options.QueryPageSize}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
