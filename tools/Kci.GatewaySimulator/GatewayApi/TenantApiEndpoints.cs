using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kci.GatewaySimulator.GatewayApi;

/// <summary>
/// The gateway's Tenant API, as much of it as Kci's gap recovery uses (shared/spec "The gateway's order read (Tenant
/// API v1.17)"): a client-credentials token endpoint and the three order reads, with the gateway's error bodies
/// <c>{uuid, code, messages[]}</c>.
/// </summary>
public static class TenantApiEndpoints
{
    private const string Json = "application/json";

    public static IEndpointRouteBuilder MapTenantApi(this IEndpointRouteBuilder app, TenantApi api)
    {
        // Typed as a Func: a lambda of HttpContext alone would bind as a RequestDelegate and its result be dropped (ASP0016).
        Func<HttpContext, Task<ContentHttpResult>> token = context => TokenAsync(api, context);
        app.MapPost("/oauth2/token", token);
        app.MapGet($"/{OrderReads.ServiceOrders}/{{id}}", (HttpContext context, string id) => Read(api, context, OrderReads.ServiceOrders, id));
        app.MapGet($"/{OrderReads.EthernetServiceOrders}/{{id}}", (HttpContext context, string id) => Read(api, context, OrderReads.EthernetServiceOrders, id));
        app.MapGet($"/{OrderReads.ServiceProblems}/{{id}}", (HttpContext context, string id) => Read(api, context, OrderReads.ServiceProblems, id));
        return app;
    }

    /// <summary>RFC 6749 4.4: the client authenticates with HTTP Basic or with client_id and client_secret in the form (2.3.1).</summary>
    private static async Task<ContentHttpResult> TokenAsync(TenantApi api, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
            return OAuthError("invalid_request", StatusCodes.Status400BadRequest);
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return OAuthError("invalid_request", StatusCodes.Status400BadRequest);
        }

        var (id, secret) = BasicCredentials(context.Request) ?? (form["client_id"].ToString(), form["client_secret"].ToString());
        if (!api.Tokens.IsClient(id, secret))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"fibre-cafe\"";
            return OAuthError("invalid_client", StatusCodes.Status401Unauthorized);
        }
        var grant = form["grant_type"].ToString();
        if (grant.Length == 0)
            return OAuthError("invalid_request", StatusCodes.Status400BadRequest);
        if (grant != "client_credentials")
            return OAuthError("unsupported_grant_type", StatusCodes.Status400BadRequest);

        var answer = new JsonObject
        {
            ["access_token"] = api.Tokens.Issue(),
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)TenantTokens.Lifetime.TotalSeconds,
        };
        if (form["scope"].ToString() is { Length: > 0 } scope)
            answer["scope"] = scope;
        return TypedResults.Content(answer.ToJsonString(), Json, Encoding.UTF8, StatusCodes.Status200OK);
    }

    private static ContentHttpResult Read(TenantApi api, HttpContext context, string read, string id)
    {
        var result = Answer(api, context, read, id);
        api.Answered(result.StatusCode ?? StatusCodes.Status200OK);
        return result;
    }

    private static ContentHttpResult Answer(TenantApi api, HttpContext context, string read, string id)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !api.Tokens.IsValid(authorization["Bearer ".Length..].Trim()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return GatewayError(StatusCodes.Status401Unauthorized, "NOT_AUTHORISED", "A valid bearer token is required");
        }
        var missing = new[] { "X-Request-ID", "X-Conversation-ID" }
            .Where(header => string.IsNullOrWhiteSpace(context.Request.Headers[header].ToString())).ToList();
        if (missing.Count > 0)
            return GatewayError(StatusCodes.Status400BadRequest, "INVALID_REQUEST", [.. missing.Select(h => $"The {h} header is required")]);
        if (api.Fault())
        {
            context.Response.Headers.RetryAfter = "1";
            return GatewayError(StatusCodes.Status503ServiceUnavailable, "GATEWAY_FAULT", "The gateway is temporarily unavailable; try again later");
        }
        return api.Orders.Read(read, id) is { } order
            ? TypedResults.Content(order.ToJsonString(), Json, Encoding.UTF8, StatusCodes.Status200OK)
            : GatewayError(StatusCodes.Status404NotFound, "NOT_FOUND", $"No {read.Replace('-', ' ').Replace('/', ' ')[..^1]} {id}");
    }

    /// <summary>The client id and secret of an HTTP Basic header, each form-url-decoded (RFC 6749 2.3.1); null without one.</summary>
    private static (string? Id, string? Secret)? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (WebUtility.UrlDecode(pair[..colon]), WebUtility.UrlDecode(pair[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static ContentHttpResult OAuthError(string error, int status) =>
        TypedResults.Content(new JsonObject { ["error"] = error }.ToJsonString(), Json, Encoding.UTF8, status);

    private static ContentHttpResult GatewayError(int status, string code, params string[] messages) =>
        TypedResults.Content(new JsonObject
        {
            ["uuid"] = Guid.NewGuid().ToString(),
            ["code"] = code,
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)m)]),
        }.ToJsonString(), Json, Encoding.UTF8, status);
}
