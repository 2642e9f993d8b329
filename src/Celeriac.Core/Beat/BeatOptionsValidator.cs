using Microsoft.Extensions.Options;

namespace Celeriac.Core.Beat;

/// <summary>Checks the beat settings on start: every entry parses, names are unique, the lease lasts.</summary>
internal sealed class BeatOptionsValidator : IValidateOptions<BeatOptions>
{
    public ValidateOptionsResult Validate(string? name, BeatOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add("Beat LeaseDuration must be at least 1 s.");
        }

        if (string.IsNullOrWhiteSpace(options.Owner))
        {
            failures.Add("Beat Owner must not be empty.");
        }

        try
        {
            var entries = options.ResolveEntries();
            failures.AddRange(entries.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
                .Select(g => $"Beat entry '{g.Key}' is declared more than once."));
        }
        catch (FormatException ex)
        {
            failures.Add(ex.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
