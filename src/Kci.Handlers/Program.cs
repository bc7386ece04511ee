using Kci.Handlers.Extensions;
using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();        // logging, telemetry, health
builder.AddHandlersServices();   // the consumers, their database and outbox, notifications, the bus
var secured = OperationsAuth.AddTo(builder); // bearer tokens for the operations API outside the local stack
builder.AddOperationsProblems();               // every error as RFC 7807 problem details
builder.AddOperationsOpenApi();                // /openapi/v1.json
builder.AddOperatorConsole(secured);           // /console, and the retention of closed orders' personal data

var app = builder.Build();
if (await app.TryMigrateAsync<HandlersDb>(args))
    return;

app.UseOperationsProblems();
if (secured)
{
    app.UseAuthentication();
    app.UseAuthorization();
}
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapOperationsEndpoints(requireAuthorization: secured);
app.MapOperatorConsole();
app.Run();
