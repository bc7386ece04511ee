using Kci.Hosting;
using Kci.Ingress.Extensions;
using Kci.Ingress.Kcis;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();        // logging, telemetry, health
builder.AddIngressServices();    // options, publisher with confirms, bus

var app = builder.Build();
app.UseKciExceptionHandler();
app.MapDefaultEndpoints();
app.MapKciEndpoints();
app.Run();
