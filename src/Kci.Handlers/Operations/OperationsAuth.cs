using System.ComponentModel.DataAnnotations;
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

    public static bool AddTo(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsAuth>().BindConfiguration(SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(SectionName).Get<OperationsAuth>() ?? new OperationsAuth();
        if (!options.Enabled)
            return false;

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.Authority = options.Authority;
            jwt.Audience = options.Audience;
            jwt.RequireHttpsMetadata = options.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.ValidIssuer = options.Authority.TrimEnd('/');
            jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireAuthenticatedUser()
            .RequireAssertion(c => c.User.FindAll("scope").SelectMany(s => s.Value.Split(' ')).Contains(options.RequiredScope)));
        return true;
    }
}
