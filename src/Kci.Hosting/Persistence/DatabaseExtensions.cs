using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Kci.Hosting.Persistence;

public static class DatabaseExtensions
{
    public const string ConnectionStringName = "Kci";

    /// <summary>
    /// A service's DbContext on PostgreSQL (its own schema and migrations history), its transactional
    /// outbox with the relay, an optional warm-up of its hot queries, and a readiness check of the database.
    /// </summary>
    public static IHostApplicationBuilder AddKciDatabase<TDb>(this IHostApplicationBuilder builder, string schema,
        Func<TDb, CancellationToken, Task>? warmup = null)
        where TDb : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not configured");

        var dataSource = DataSource(connectionString);
        builder.Services.AddSingleton(dataSource);
        builder.Services.TryAddSingleton<Resilience.DatabaseGate>();
        builder.Services.AddHostedService<Resilience.DatabaseProbe>();
        builder.Services.AddSingleton<OutboxSignal<TDb>>();
        builder.Services.AddSingleton<OutboxDelivery<TDb>>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxCommitInterceptor<TDb>>();
        builder.Services.AddDbContext<TDb>((services, options) => options
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor<TDb>>()));

        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName);
        builder.Services.AddHostedService<OutboxRelay<TDb>>();
        builder.Services.AddHostedService<Telemetry.OutboxGauge<TDb>>();
        if (warmup is not null)
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<DatabaseWarmup<TDb>>(services, warmup));
        builder.Services.AddHealthChecks()
            .AddNpgSql(connectionString, name: "postgresql", tags: [KciDefaults.ReadyTag])
            .AddCheck<Resilience.DatabaseGateHealthCheck>("database-gate", tags: [KciDefaults.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// One pool for the service. Unless the connection string says otherwise, a connection goes back to the pool
    /// without DISCARD ALL and the hot statements are prepared once per connection: measured under a burst, the
    /// reset and the re-parsing it forced were a large part of PostgreSQL's CPU per KCI (docs/performance.md).
    /// </summary>
    internal static Npgsql.NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new Npgsql.NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        // The generic builder keeps only the keys the string names (Npgsql's own answers true for every keyword).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Names(string key) => given.ContainsKey(key) || given.ContainsKey(key.Replace(" ", "", StringComparison.Ordinal));
        if (!Names("No Reset On Close"))
            settings.NoResetOnClose = true;
        if (!Names("Max Auto Prepare"))
            settings.MaxAutoPrepare = 64;
        if (!Names("Auto Prepare Min Usages"))
            settings.AutoPrepareMinUsages = 2;
        return builder.Build();
    }

    /// <summary>
    /// <c>dotnet Kci.X.dll migrate</c> applies the service's migrations and exits: the run command and the
    /// tests call it before starting the service. EF Core takes a lock, so concurrent runs are safe.
    /// </summary>
    public static async Task<bool> TryMigrateAsync<TDb>(this IHost host, string[] args) where TDb : DbContext
    {
        if (args is not ["migrate", ..])
            return false;
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TDb>().Database.MigrateAsync();
        return true;
    }
}
