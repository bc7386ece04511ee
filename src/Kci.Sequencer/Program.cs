using Kci.Hosting;
using Kci.Hosting.Persistence;
using Kci.Sequencer.Extensions;
using Kci.Sequencer.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddKciDefaults();         // logging, telemetry, health
builder.AddSequencerServices();   // options, the order saga on PostgreSQL, outbox relay, gap sweeper, bus
builder.AddGapRecovery();         // missing numbers read from the gateway's order read (off without Gateway:BaseUrl)

var app = builder.Build();
if (await app.TryMigrateAsync<SequencerDb>(args))
    return;

app.MapDefaultEndpoints();
app.Run();
