using System.ComponentModel.DataAnnotations;
using Kci.Hosting.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Kci.Handlers.Operations;

/// <summary>Bearer tokens for the operations API (on by default; the local stack turns it off in Development).</summary>
public sealed class OperationsAuth
{
    public const string SectionName = "OperationsAuth";
    public const string Policy = "kci.operate";

    public bool Enabled { get; set; } = true;
    [Required] public string Authority { get; set; } = "http://localhost:5080";
    [Required] public string Audience { get; set; } = "kci";
    [Required] public string RequiredScope { get; set; } = "kci.operate";
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public static bool AddTo(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsAuth>().BindConfiguration(SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(SectionName).Get<OperationsAuth>() ?? new OperationsAuth();
        if (!options.Enabled)
            return false;

        // The same validation and scope rule as the ingress's (Kci.Hosting.Security.BearerTokens).
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt => BearerTokens.Configure(jwt, options.Authority, options.Audience, options.ClockSkew));
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireScope(options.RequiredScope));
        return true;
    }
}
