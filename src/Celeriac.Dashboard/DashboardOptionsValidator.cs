using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>Refuses settings the dashboard cannot work with, when the host starts.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.PathPrefix) || !options.PathPrefix.StartsWith('/') || options.PathPrefix.EndsWith('/'))
        {
            failures.Add($"PathPrefix must start with '/' and not end with one (e.g. /dashboard), not '{options.PathPrefix}'.");
        }

        if (options.MetricsPath is { } metrics && !metrics.StartsWith('/'))
        {
            failures.Add($"MetricsPath must start with '/', not '{metrics}'.");
        }

        if (options.ManagementUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"ManagementUrl must be an absolute http(s) URL, not '{url}'.");
        }

        if (options.PushInterval <= TimeSpan.Zero || options.ThroughputWindow < TimeSpan.FromMinutes(1) || options.CountsCacheDuration < TimeSpan.Zero)
        {
            failures.Add("PushInterval must be positive, ThroughputWindow at least a minute and CountsCacheDuration not negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
