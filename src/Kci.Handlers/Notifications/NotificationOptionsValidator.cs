using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Notifications;

/// <summary>
/// Every subscription is checked when Handlers start, so a malformed one stops the service with a clear message instead of
/// failing every delivery later: a unique name, an absolute http(s) URL, and an Authorization header that parses.
/// </summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Subscriptions.Count; i++)
        {
            var subscription = options.Subscriptions[i];
            var at = $"Notifications:Subscriptions:{i}";
            if (string.IsNullOrWhiteSpace(subscription.Name))
                failures.Add($"{at}:Name is required");
            else if (!names.Add(subscription.Name))
                failures.Add($"{at}:Name '{subscription.Name}' is used twice");
            if (subscription.Url is not { IsAbsoluteUri: true } url || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
                failures.Add($"{at}:Url must be an absolute http or https URL");
            if (subscription.AuthorizationHeader is { } header
                && (header.Any(char.IsControl) || !AuthenticationHeaderValue.TryParse(header, out var parsed) || string.IsNullOrEmpty(parsed.Scheme)))
                failures.Add($"{at}:AuthorizationHeader must be a valid Authorization header value such as 'Bearer <token>'");
            if (subscription.UpdateTypes.Any(string.IsNullOrWhiteSpace))
                failures.Add($"{at}:UpdateTypes must not hold empty values");
        }
        if (options.Timeout <= TimeSpan.Zero || options.RetryDelay < TimeSpan.Zero || options.RedeliveryInterval <= TimeSpan.Zero
            || options.BreakDuration <= TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero)
            failures.Add("Notifications: Timeout, RedeliveryInterval, BreakDuration and PollInterval must be positive, RetryDelay not negative");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
