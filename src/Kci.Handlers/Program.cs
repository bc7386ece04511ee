using Kci.Handlers.Extensions;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();        // logging, telemetry, health
builder.AddHandlersServices();   // the consumers, their database and outbox, notifications, the bus
var secured = OperationsAuth.AddTo(builder); // bearer tokens for the operations API outside the local stack

var app = builder.Build();
if (await app.TryMigrateAsync<HandlersDb>(args))
    return;

if (secured)
{
    app.UseAuthentication();
    app.UseAuthorization();
}
app.MapDefaultEndpoints();
app.MapOperationsEndpoints(requireAuthorization: secured);
app.Run();
