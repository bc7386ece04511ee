using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Kci.Handlers.Privacy;
using Kci.Hosting.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Operations;

/// <summary>
/// Bearer tokens for the operations API and the console (on by default; the local stack turns it off in Development). The
/// console takes the same token: from an <c>Authorization</c> header that a signing-in proxy adds, or pasted once on its
/// sign-in page and kept in an HttpOnly, SameSite=Strict cookie that is sent to <c>/console</c> only. Either way the token is
/// validated on every request by the same rules as the API's (docs/operations.md, "Signing in").
/// </summary>
public sealed class OperationsAuth
{
    public const string SectionName = "OperationsAuth";
    public const string Policy = "kci.operate";
    public const string ConsoleCookie = "kci-operator";

    public bool Enabled { get; set; } = true;
    [Required] public string Authority { get; set; } = "http://localhost:5080";
    [Required] public string Audience { get; set; } = "kci";
    [Required] public string RequiredScope { get; set; } = "kci.operate";
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The scope that lets an operator read names, e-mail addresses and phone numbers unmasked.</summary>
    [Required] public string PersonalDataScope { get; set; } = "kci.personal-data";

    /// <summary>
    /// With authentication off (the local stack): whether everyone reads personal data unmasked. Off by default, so a
    /// console left open shows masked values only.
    /// </summary>
    public bool PersonalDataWithoutAuthentication { get; set; }

    public static bool AddTo(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsAuth>().BindConfiguration(SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PersonalDataAccess>();
        var options = builder.Configuration.GetSection(SectionName).Get<OperationsAuth>() ?? new OperationsAuth();
        if (!options.Enabled)
            return false;

        // The same validation and scope rule as the ingress's (Kci.Hosting.Security.BearerTokens).
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                BearerTokens.Configure(jwt, options.Authority, options.Audience, options.ClockSkew);
                jwt.Events = ConsoleEvents();
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireScope(options.RequiredScope));
        return true;
    }

    /// <summary>The console's token from its cookie when no header carries one; its pages send a browser to sign in rather than answer 401.</summary>
    private static JwtBearerEvents ConsoleEvents() => new()
    {
        OnMessageReceived = context =>
        {
            if (IsConsole(context.Request) && context.Request.Headers.Authorization.Count == 0
                && context.Request.Cookies.TryGetValue(ConsoleCookie, out var token) && !string.IsNullOrWhiteSpace(token))
                context.Token = token;
            return Task.CompletedTask;
        },
        OnChallenge = context =>
        {
            if (!IsConsole(context.Request))
                return Task.CompletedTask;
            context.HandleResponse();
            var refused = context.Request.Cookies.ContainsKey(ConsoleCookie) ? "&refused=true" : "";
            context.Response.Redirect($"/console/sign-in?returnUrl={Uri.EscapeDataString(context.Request.Path + context.Request.QueryString)}{refused}");
            return Task.CompletedTask;
        },
        OnForbidden = context =>
        {
            if (IsConsole(context.Request))
                context.Response.Redirect("/console/sign-in?denied=true");
            return Task.CompletedTask;
        },
    };

    private static bool IsConsole(HttpRequest request) => request.Path.StartsWithSegments("/console");
}

/// <summary>Who may read personal data unmasked: an operator whose token carries <see cref="OperationsAuth.PersonalDataScope"/>.</summary>
public sealed class PersonalDataAccess(IOptions<OperationsAuth> options)
{
    public bool Allows(ClaimsPrincipal user) => options.Value.Enabled
        ? user.Identity?.IsAuthenticated == true && user.HasScope(options.Value.PersonalDataScope)
        : options.Value.PersonalDataWithoutAuthentication;

    /// <summary>Personal data as <paramref name="user"/> may read it: the one rule for the console's pages and the API.</summary>
    public PersonalView For(ClaimsPrincipal user) => new(Allows(user));
}

/// <summary>Text and JSON as one operator may read them: as stored with the permission, masked without it.</summary>
public readonly record struct PersonalView(bool Unmasked)
{
    public string? Text(string? text) => Unmasked ? text : PersonalData.MaskText(text);

    public string? Json(string? json) => Unmasked ? json : PersonalData.Mask(json);
}
