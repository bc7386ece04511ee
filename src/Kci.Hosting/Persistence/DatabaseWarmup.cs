using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kci.Hosting.Persistence;

/// <summary>
/// Runs a service's hot queries once at start-up, in a transaction that is rolled back, so the first KCI
/// after a (re)start does not pay for EF Core's model building and query compilation (about a second).
/// </summary>
public sealed class DatabaseWarmup<TDb>(IServiceScopeFactory scopes, Func<TDb, CancellationToken, Task> warmup, ILogger<DatabaseWarmup<TDb>> logger)
    : BackgroundService
    where TDb : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TDb>();
            await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
            await warmup(db, stoppingToken);
            await transaction.RollbackAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            HostingLog.WarmupFailed(logger, ex, typeof(TDb).Name); // only slower, never wrong
        }
    }
}
