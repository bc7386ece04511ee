using Kci.Hosting;
using Kci.Ingress.Auth;
using Kci.Ingress.Extensions;
using Kci.Ingress.Kcis;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();        // logging, telemetry, health
builder.AddIngressServices();    // options, publisher with confirms, bus
builder.AddKciAuthentication();  // OAuth2 bearer tokens (and Basic where chosen), the kci.write scope
builder.AddKciOpenApi();         // /openapi/v1.json

var app = builder.Build();
app.UseKciExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapLocalTokenEndpoints();    // only where Auth:LocalIssuer:Enabled
app.MapKciEndpoints();
app.MapOpenApi();
app.Run();
