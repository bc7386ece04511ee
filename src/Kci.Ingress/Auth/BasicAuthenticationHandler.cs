using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Kci.Ingress.Auth;

/// <summary>HTTP Basic for tenants that chose it with the gateway (<c>Auth:Basic:Enabled</c>).</summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<KciAuthOptions> options)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Basic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = ClientSecrets.FromBasicHeader(Request.Headers.Authorization, out var isBasic);
        if (!isBasic)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (credentials is not { } pair || !ClientSecrets.Match(options.Value.Basic.Clients, pair.Id, pair.Secret))
            return Task.FromResult(AuthenticateResult.Fail("invalid Basic credentials"));

        // A Basic client is granted the scope a token would carry.
        var identity = new ClaimsIdentity([new Claim("sub", pair.Id), new Claim("scope", options.Value.RequiredScope)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>The bearer scheme writes the 401 body; Basic only adds its own challenge header.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!Response.HasStarted)
            Response.Headers.Append("WWW-Authenticate", "Basic realm=\"kci\", charset=\"UTF-8\"");
        return Task.CompletedTask;
    }
}
