using System.ComponentModel.DataAnnotations;

namespace Kci.Ingress.Auth;

/// <summary>How the gateway authenticates (Tenant Updates API: OAuth2 client credentials recommended, Basic supported).</summary>
public sealed class KciAuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The token issuer: its OIDC metadata (<c>/.well-known/openid-configuration</c>) and JWKS are read from here.</summary>
    [Required] public string Authority { get; set; } = "http://localhost:5080";

    [Required] public string Audience { get; set; } = "kci";

    /// <summary>The scope a token must carry to post KCIs.</summary>
    [Required] public string RequiredScope { get; set; } = "kci.write";

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public LocalIssuerOptions LocalIssuer { get; set; } = new();

    public BasicAuthOptions Basic { get; set; } = new();
}

/// <summary>
/// A real OAuth2 client-credentials token endpoint (RFC 6749 section 4.4) served by the ingress itself, for
/// the local stack and tests. Off unless configured: in production the tenant's identity provider issues tokens.
/// </summary>
public sealed class LocalIssuerOptions
{
    public bool Enabled { get; set; }

    /// <summary>client_id to client_secret.</summary>
    public Dictionary<string, string> Clients { get; set; } = [];

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>PEM file of the RSA signing key; without one a key is generated at start (tokens then die with the process).</summary>
    public string? SigningKeyPath { get; set; }
}

/// <summary>HTTP Basic, for tenants that choose it with the gateway.</summary>
public sealed class BasicAuthOptions
{
    public bool Enabled { get; set; }

    /// <summary>user name to password.</summary>
    public Dictionary<string, string> Clients { get; set; } = [];
}
