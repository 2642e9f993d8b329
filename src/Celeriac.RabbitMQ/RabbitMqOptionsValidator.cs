using Microsoft.Extensions.Options;

namespace Celeriac.RabbitMQ;

/// <summary>Rejects broker settings that cannot work, naming the option, its configuration key and the value.</summary>
internal sealed class RabbitMqOptionsValidator : IValidateOptions<RabbitMqOptions>
{
    public ValidateOptionsResult Validate(string? name, RabbitMqOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            // The masked URL: a configuration mistake must not print the password into a log.
            errors.Add($"RabbitMqOptions.Url (Celeriac:RabbitMq:Url) must be an absolute amqp:// or amqps:// URL (was '{RabbitMqOptions.MaskPassword(options.Url ?? "")}').");
        }

        if (string.IsNullOrWhiteSpace(options.ClientName))
        {
            errors.Add("RabbitMqOptions.ClientName (Celeriac:RabbitMq:ClientName) must not be empty.");
        }

        if (options.PublishTimeout <= TimeSpan.Zero)
        {
            errors.Add($"RabbitMqOptions.PublishTimeout (Celeriac:RabbitMq:PublishTimeout) must be positive (was {options.PublishTimeout}).");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"RabbitMqOptions.ConnectTimeout (Celeriac:RabbitMq:ConnectTimeout) must be positive, or unset to keep trying (was {options.ConnectTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
