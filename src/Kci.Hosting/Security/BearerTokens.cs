using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace Kci.Hosting.Security;

/// <summary>
/// The one JWT bearer validation and scope rule of every host (the ingress's <c>kci.write</c>, the operations API's
/// <c>kci.operate</c>): keys from the authority's OIDC metadata and JWKS, issuer, audience, lifetime with a small skew,
/// signed tokens only and asymmetric algorithms only (so <c>alg: none</c> and HMAC confusion never pass), claims as issued;
/// a token accepted once is remembered for a while (<see cref="RememberingTokenHandler"/>).
/// </summary>
public static class BearerTokens
{
    public static void Configure(JwtBearerOptions jwt, string authority, string audience, TimeSpan clockSkew)
    {
        jwt.Authority = authority;
        jwt.Audience = audience;
        jwt.RequireHttpsMetadata = authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        jwt.MapInboundClaims = false;
        jwt.RefreshOnIssuerKeyNotFound = true;
        jwt.TokenHandlers.Clear();
        jwt.TokenHandlers.Add(new RememberingTokenHandler(TimeProvider.System));
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = authority.TrimEnd('/'),
            ValidAudience = audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256],
            ClockSkew = clockSkew,
        };
    }

    /// <summary>An authenticated caller whose <c>scope</c> claim (space separated, possibly repeated) holds <paramref name="scope"/>.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, string scope) =>
        policy.RequireAuthenticatedUser().RequireAssertion(context => context.User.HasScope(scope));

    /// <summary>Whether the caller's <c>scope</c> claim (space separated, possibly repeated) holds <paramref name="scope"/>.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope) => user.FindAll("scope")
        .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Contains(scope, StringComparer.Ordinal);
}
