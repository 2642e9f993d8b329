using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite;

/// <summary>Rejects store settings that cannot work, with a message that says which and why.</summary>
internal sealed class SqliteTaskStoreOptionsValidator : IValidateOptions<SqliteTaskStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteTaskStoreOptions options)
    {
        var errors = new List<string>();
        if (options.FilePath is not null)
        {
            if (string.IsNullOrWhiteSpace(options.FilePath))
            {
                errors.Add("SqliteTaskStoreOptions.FilePath (Celeriac:Sqlite:FilePath) must not be blank; leave it unset for the default.");
            }
            else if (options.FilePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || options.FilePath.EndsWith(Path.DirectorySeparatorChar))
            {
                errors.Add($"SqliteTaskStoreOptions.FilePath (Celeriac:Sqlite:FilePath) '{options.FilePath}' is not a file path.");
            }
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"SqliteTaskStoreOptions.BusyTimeout (Celeriac:Sqlite:BusyTimeout) must be positive and under 24 days (was {options.BusyTimeout}).");
        }

        if (options.MaxBatchSize is < 1 or > SqliteTaskStoreOptions.MaxBatchSizeLimit)
        {
            errors.Add($"SqliteTaskStoreOptions.MaxBatchSize (Celeriac:Sqlite:MaxBatchSize) must be between 1 and {SqliteTaskStoreOptions.MaxBatchSizeLimit} (was {options.MaxBatchSize}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
