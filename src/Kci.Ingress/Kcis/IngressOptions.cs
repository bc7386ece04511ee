using System.ComponentModel.DataAnnotations;

namespace Kci.Ingress.Kcis;

public sealed class IngressOptions
{
    public const string SectionName = "Ingress";

    /// <summary>Largest accepted body; a larger one is answered 400 MALFORMED_REQUEST.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How long a request waits for the broker's confirm before it is answered 503.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seconds the gateway is asked to wait (Retry-After) after a 503.</summary>
    [Range(1, 3600)] public int RetryAfterSeconds { get; set; } = 5;
}
