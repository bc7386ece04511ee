using System.ComponentModel.DataAnnotations;

namespace Kci.Sequencer.Recovery;

/// <summary>
/// The gateway's Tenant API, which gap recovery reads orders from (docs/gap-recovery.md). Recovery is off while
/// <see cref="BaseUrl"/> is not set.
/// </summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>The Tenant API's base address, e.g. <c>https://api.fibrecafe.example/tenant/v1/</c>. Unset: no recovery.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The OAuth2 token endpoint (client credentials). Default: <c>oauth2/token</c> under <see cref="BaseUrl"/>.</summary>
    public Uri? TokenUrl { get; set; }

    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The scope asked for with the token, if the gateway wants one.</summary>
    public string? Scope { get; set; }

    /// <summary>One attempt of a read at most.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A read at most, its retries and their pauses included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts after the first, for connection failures, timeouts, 429 and 5xx; each waits as Retry-After says, or
    /// an exponential pause with jitter.</summary>
    [Range(0, 10)] public int MaxRetries { get; set; } = 3;

    /// <summary>How long the circuit stays open after most reads failed: no read is tried meanwhile.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Orders read at once.</summary>
    [Range(1, 64)] public int Parallelism { get; set; } = 4;

    /// <summary>The largest order read accepted (its <c>updates[]</c> hold every KCI of the order).</summary>
    [Range(1024, 256 * 1024 * 1024)] public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest KCI rebuilt from a read that is taken: the ingress's limit for a delivered one.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxKciBodyBytes { get; set; } = 256 * 1024;

    public bool IsConfigured => BaseUrl is not null;

    /// <remarks>Methods, not properties: options validation reads every property, set or not.</remarks>
    public Uri EffectiveTokenUrl() => TokenUrl ?? new Uri(BaseAddress(), "oauth2/token");

    /// <summary><see cref="BaseUrl"/> with a trailing slash, so relative reads keep its path.</summary>
    public Uri BaseAddress() => BaseUrl is null ? throw new InvalidOperationException("Gateway:BaseUrl is not set")
        : BaseUrl.AbsoluteUri.EndsWith('/') ? BaseUrl : new Uri(BaseUrl.AbsoluteUri + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is null)
            yield break;
        if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("http" or "https"))
            yield return new ValidationResult("Gateway:BaseUrl must be an absolute http(s) URL", [nameof(BaseUrl)]);
        if (TokenUrl is { IsAbsoluteUri: false })
            yield return new ValidationResult("Gateway:TokenUrl must be an absolute URL", [nameof(TokenUrl)]);
        if (string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrWhiteSpace(ClientSecret))
            yield return new ValidationResult("Gateway:ClientId and Gateway:ClientSecret are required with Gateway:BaseUrl",
                [nameof(ClientId), nameof(ClientSecret)]);
        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout)
            yield return new ValidationResult("Gateway:AttemptTimeout must be positive and at most Gateway:TotalTimeout",
                [nameof(AttemptTimeout), nameof(TotalTimeout)]);
        if (BreakDuration < TimeSpan.FromMilliseconds(500))
            yield return new ValidationResult("Gateway:BreakDuration must be at least 0.5 s", [nameof(BreakDuration)]);
    }
}
