using Kci.Handlers.Extensions;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Kci.Hosting;
using Kci.Hosting.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();        // logging, telemetry, health
builder.AddHandlersServices();   // the consumers, their database and outbox, the bus

var app = builder.Build();
if (await app.TryMigrateAsync<HandlersDb>(args))
    return;

app.MapDefaultEndpoints();
app.MapOperationsEndpoints();
app.Run();
