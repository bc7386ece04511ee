using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Kci.Hosting.Security;

/// <summary>
/// JWT validation that remembers the tokens it accepted. A client sends the same bearer token with every request until it
/// renews it, and checking its signature (RSA or ECDSA) again each time was a tenth of the ingress's CPU. A token is
/// remembered by its exact text, and accepted again without the signature check only while it has not expired (with the
/// configured clock skew), for at most <see cref="MaxAge"/>, and while the key that signed it is still one of the
/// authority's published keys. A token that failed is never remembered.
/// </summary>
public sealed class RememberingTokenHandler(TimeProvider clock) : TokenHandler
{
    /// <summary>The longest a token is accepted again without its signature being checked.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>Tokens remembered at most; beyond it the memory starts again empty.</summary>
    public const int MaxTokens = 10_000;

    private readonly JsonWebTokenHandler _inner = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, Accepted> _accepted = new(StringComparer.Ordinal);

    private sealed record Accepted(TokenValidationResult Result, string KeyId, DateTimeOffset ValidTo, DateTimeOffset Until);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (_accepted.TryGetValue(token, out var accepted))
        {
            if (now < accepted.Until && now < accepted.ValidTo + validationParameters.ClockSkew
                && await IsStillPublishedAsync(accepted.KeyId, validationParameters))
                return Copy(accepted.Result);
            _accepted.TryRemove(token, out _);
        }

        var result = await _inner.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, SecurityToken: JsonWebToken { SigningKey.KeyId: not null } jwt, ClaimsIdentity: not null })
        {
            if (_accepted.Count >= MaxTokens)
                _accepted.Clear();
            _accepted[token] = new Accepted(Copy(result), jwt.SigningKey.KeyId, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), now + MaxAge);
        }
        return result;
    }

    public override SecurityToken ReadToken(string token) => _inner.ReadToken(token);

    public override int MaximumTokenSizeInBytes
    {
        get => _inner.MaximumTokenSizeInBytes;
        set => _inner.MaximumTokenSizeInBytes = value;
    }

    /// <summary>
    /// Whether the authority still publishes the key: among the configured keys, or the keys of its metadata (which the
    /// configuration manager keeps and refreshes). A key without an id cannot be looked up again: tokens it signed are not
    /// remembered, and are checked every time.
    /// </summary>
    private static async ValueTask<bool> IsStillPublishedAsync(string keyId, TokenValidationParameters parameters)
    {
        if ((parameters.IssuerSigningKeys ?? []).Append(parameters.IssuerSigningKey).Any(k => k?.KeyId == keyId))
            return true;
        if (parameters.ConfigurationManager is not { } metadata)
            return false;
        var configuration = await metadata.GetBaseConfigurationAsync(CancellationToken.None);
        return configuration?.SigningKeys.Any(k => k.KeyId == keyId) == true;
    }

    /// <summary>Each request gets an identity of its own, so nothing one request adds to it reaches another.</summary>
    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };
}
