using System.Text.Json;
using Kci.Hosting.Security;
using Kci.Ingress.Kcis;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Kci.Hosting.Kcis;

namespace Kci.Ingress.Auth;

public static class AuthExtensions
{
    public const string KciWritePolicy = "kci.write";

    /// <summary>
    /// JWT bearer validation (<see cref="BearerTokens"/>, shared with the operations API), the scope policy, and
    /// optionally Basic. Failures answer 401 with the gateway's error body; a token without the scope 403.
    /// </summary>
    public static IHostApplicationBuilder AddKciAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KciAuthOptions>()
            .BindConfiguration(KciAuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(KciAuthOptions.SectionName).Get<KciAuthOptions>() ?? new KciAuthOptions();
        builder.Services.AddSingleton<LocalTokenIssuer>();

        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                BearerTokens.Configure(jwt, options.Authority, options.Audience, options.ClockSkew);
                jwt.Events = new JwtBearerEvents
                {
                    OnForbidden = context =>
                    {
                        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kci.Ingress.Auth");
                        Log.Forbidden(logger, KciEndpoints.SafeHeader(context.HttpContext, "X-Request-ID"),
                            KciEndpoints.SafeHeader(context.HttpContext, "X-Conversation-ID"), context.Principal?.FindFirst("sub")?.Value ?? "?");
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await WriteNotAuthorisedAsync(context.HttpContext, context.AuthenticateFailure is null
                            ? "Authorization: a bearer token is required"
                            : "Authorization: the bearer token is not valid", context.AuthenticateFailure is null ? null : "invalid_token");
                    },
                };
            });

        if (options.Basic.Enabled)
            authentication.AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);

        builder.Services.AddAuthorizationBuilder().AddPolicy(KciWritePolicy, policy =>
        {
            // Basic first: its challenge only adds a header, before the bearer challenge writes the body.
            policy.AddAuthenticationSchemes(options.Basic.Enabled
                ? [BasicAuthenticationHandler.SchemeName, JwtBearerDefaults.AuthenticationScheme]
                : [JwtBearerDefaults.AuthenticationScheme]);
            policy.RequireScope(options.RequiredScope);
        });
        return builder;
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> and the gateway's error body; the reason is logged with the request's IDs.</summary>
    public static async Task WriteNotAuthorisedAsync(HttpContext http, string message, string? bearerError)
    {
        var error = KciError.Create(KciErrorCodes.NotAuthorised, [message]);
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kci.Ingress.Auth");
        var failure = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure?.GetType().Name ?? "no credentials";
        Log.NotAuthorised(logger, KciEndpoints.SafeHeader(http, "X-Request-ID"), KciEndpoints.SafeHeader(http, "X-Conversation-ID"), error.Uuid, failure);
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = bearerError is null ? "Bearer realm=\"kci\"" : $"Bearer realm=\"kci\", error=\"{bearerError}\"";
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(error, JsonSerializerOptions.Web));
    }
}
