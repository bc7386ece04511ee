using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
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
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !header.Scheme.Equals(SchemeName, StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        string[] pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? "")).Split(':', 2);
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed Basic credentials"));
        }

        if (pair.Length != 2 || !options.Value.Basic.Clients.TryGetValue(pair[0], out var expected)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(pair[1])))
            return Task.FromResult(AuthenticateResult.Fail("invalid Basic credentials"));

        // A Basic client is granted the scope a token would carry.
        var identity = new ClaimsIdentity([new Claim("sub", pair[0]), new Claim("scope", options.Value.RequiredScope)], SchemeName);
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
