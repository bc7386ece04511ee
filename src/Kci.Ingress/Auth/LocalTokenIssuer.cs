using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kci.Ingress.Auth;

/// <summary>Signs RS256 access tokens for the local token endpoint and publishes its key as a JWKS.</summary>
public sealed class LocalTokenIssuer : IDisposable
{
    private readonly RSA _rsa;
    private readonly RsaSecurityKey _key;
    private readonly KciAuthOptions _options;
    private readonly TimeProvider _clock;

    public LocalTokenIssuer(IOptions<KciAuthOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _rsa = RSA.Create(2048);
        if (_options.LocalIssuer.SigningKeyPath is { Length: > 0 } path)
            _rsa.ImportFromPem(File.ReadAllText(path));
        var parameters = _rsa.ExportParameters(false);
        _key = new RsaSecurityKey(_rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData([.. parameters.Modulus!, .. parameters.Exponent!]))[..16] };
    }

    public string Issuer => _options.Authority.TrimEnd('/');

    public (string Token, int ExpiresIn) Issue(string clientId, string scope)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = _options.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("client_id", clientId), new Claim("scope", scope)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.LocalIssuer.TokenLifetime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            AdditionalHeaderClaims = new Dictionary<string, object> { ["typ"] = "at+jwt" },
        });
        return (token, (int)_options.LocalIssuer.TokenLifetime.TotalSeconds);
    }

    public object Jwks()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = _key.KeyId });
        return new { keys = new[] { new { kty = jwk.Kty, use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } };
    }

    /// <summary>Checks a client secret in constant time.</summary>
    public bool IsValidClient(string clientId, string secret) => ClientSecrets.Match(_options.LocalIssuer.Clients, clientId, secret);

    public void Dispose() => _rsa.Dispose();
}
