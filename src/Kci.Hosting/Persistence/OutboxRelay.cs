using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kci.Hosting.Persistence;

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>Rows locked and sent per round.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often the table is swept for rows nobody sent (a failed send, another instance's crash).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The committing consumer sends its rows itself right after the commit; off, only the relay sends.</summary>
    public bool SendAfterCommit { get; set; } = true;

    /// <summary>With <see cref="SendAfterCommit"/>, how old a row must be before the relay takes it as unsent.</summary>
    public TimeSpan SweepAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Deletes the rows sent after their commit, in batches and without waiting for the WAL flush (a delete lost in a
/// crash only means the row is sent again), and sweeps the table for rows nobody sent: those it locks with
/// <c>FOR UPDATE SKIP LOCKED</c> (so several instances relay side by side without sending a row twice), sends
/// and deletes in one transaction. A row whose send was not confirmed stays for the next round.
/// </summary>
public sealed class OutboxRelay<TDb>(
    IServiceScopeFactory scopes,
    OutboxSignal<TDb> signal,
    OutboxDelivery<TDb> delivery,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    Resilience.DatabaseGate gate,
    ILogger<OutboxRelay<TDb>> logger) : BackgroundService
    where TDb : DbContext
{
    private const int DeleteBatch = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var nextSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await gate.WaitOpenAsync(stoppingToken);
                var deleted = await DeleteSentAsync(stoppingToken);
                var swept = 0;
                // No sweep while sent rows wait to be deleted: it would take them for unsent ones.
                if (deleted < DeleteBatch && (!delivery.SendsAfterCommit || clock.GetUtcNow() >= nextSweep))
                {
                    swept = await SweepAsync(stoppingToken);
                    nextSweep = swept == options.Value.BatchSize ? clock.GetUtcNow() : clock.GetUtcNow() + options.Value.PollInterval;
                }
                failures = 0;
                if (deleted < DeleteBatch && swept < options.Value.BatchSize)
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                if (!gate.Report(ex))
                    HostingLog.OutboxRelayFailed(logger, ex, typeof(TDb).Name, failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken);
            }
        }
    }

    private static string OutboxTable(TDb db) => db.Model.FindEntityType(typeof(OutboxMessage))!.GetSchemaQualifiedTableName()!;

    private async Task<int> DeleteSentAsync(CancellationToken cancellationToken)
    {
        var ids = delivery.TakeSent(DeleteBatch);
        if (ids.Length == 0)
            return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var table = OutboxTable(db);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1002 // the table name comes from our own model
            await db.Database.ExecuteSqlRawAsync($"SET LOCAL synchronous_commit = off; DELETE FROM {table} WHERE id = ANY({{0}})", [ids], cancellationToken);
#pragma warning restore EF1002
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            delivery.ReturnSent(ids); // else the sweep would send them all again
            throw;
        }
        return ids.Length;
    }

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDb>();
        var table = OutboxTable(db);
        // Compared on the database's clock, which wrote created_at: instances' clocks never meet (docs/reliability.md).
        var age = delivery.SendsAfterCommit ? options.Value.SweepAfter : TimeSpan.Zero;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1002 // the table name comes from our own model, the batch size from typed options
        var rows = await db.Set<OutboxMessage>()
            .FromSqlRaw($"SELECT * FROM {table} WHERE created_at <= now() - {{0}} ORDER BY id LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED", age)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
            return 0;

        // At most one message per order is in flight at a time (see docs/ordering.md), so the rows of a
        // batch are independent and can wait for their publisher confirms together.
        await Task.WhenAll(rows.Select(row => delivery.SendAsync(row, cancellationToken)));

        var ids = rows.Select(r => r.Id).ToArray();
        await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table} WHERE id = ANY({{0}})", [ids], cancellationToken);
#pragma warning restore EF1002
        await transaction.CommitAsync(cancellationToken);
        HostingLog.OutboxRelayed(logger, rows.Count, typeof(TDb).Name);
        return rows.Count;
    }
}
