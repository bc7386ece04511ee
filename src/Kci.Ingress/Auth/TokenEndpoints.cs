using Microsoft.Extensions.Options;

namespace Kci.Ingress.Auth;

/// <summary>
/// OAuth2 client credentials (RFC 6749 section 4.4) with its OIDC discovery document and JWKS. Mapped only
/// when <c>Auth:LocalIssuer:Enabled</c> is true.
/// </summary>
public static class TokenEndpoints
{
    public static WebApplication MapLocalTokenEndpoints(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<KciAuthOptions>>().Value.LocalIssuer.Enabled)
            return app;

        app.MapPost("/oauth2/token", IssueToken).DisableAntiforgery().ExcludeFromDescription();
        app.MapGet("/.well-known/openid-configuration", (LocalTokenIssuer issuer) => Results.Json(new
        {
            issuer = issuer.Issuer,
            token_endpoint = $"{issuer.Issuer}/oauth2/token",
            jwks_uri = $"{issuer.Issuer}/.well-known/jwks.json",
            grant_types_supported = new[] { "client_credentials" },
            token_endpoint_auth_methods_supported = new[] { "client_secret_basic", "client_secret_post" },
            id_token_signing_alg_values_supported = new[] { "RS256" },
            response_types_supported = new[] { "token" },
            subject_types_supported = new[] { "public" },
            scopes_supported = new[] { app.Services.GetRequiredService<IOptions<KciAuthOptions>>().Value.RequiredScope },
        })).ExcludeFromDescription();
        app.MapGet("/.well-known/jwks.json", (LocalTokenIssuer issuer) => Results.Json(issuer.Jwks())).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> IssueToken(HttpContext http, LocalTokenIssuer issuer, IOptions<KciAuthOptions> options)
    {
        // RFC 6749 section 5.2: errors are JSON; the token response must not be cached.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        if (!http.Request.HasFormContentType)
            return Error("invalid_request", "the request must be application/x-www-form-urlencoded");

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var (clientId, secret, viaBasic) = ClientCredentials(http.Request, form);
        if (clientId is null || secret is null || !issuer.IsValidClient(clientId, secret))
        {
            if (viaBasic)
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"kci\"";
            return Error("invalid_client", "client authentication failed", StatusCodes.Status401Unauthorized);
        }

        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
            return Error("invalid_request", "grant_type is required");
        if (grantType != "client_credentials")
            return Error("unsupported_grant_type", "only client_credentials is supported");

        var allowed = options.Value.RequiredScope;
        var requested = form["scope"].ToString();
        if (requested.Length > 0 && requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s != allowed))
            return Error("invalid_scope", $"the only scope is {allowed}");

        var (token, expiresIn) = issuer.Issue(clientId, allowed);
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = expiresIn, scope = allowed });
    }

    private static (string? ClientId, string? Secret, bool ViaBasic) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var basic = ClientSecrets.FromBasicHeader(request.Headers.Authorization, out var isBasic, formEncoded: true);
        if (isBasic)
            return basic is { } pair ? (pair.Id, pair.Secret, true) : (null, null, true);
        var id = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        return (id.Length > 0 ? id : null, secret.Length > 0 ? secret : null, false);
    }

    private static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new { error, error_description = description }, statusCode: status);
}
