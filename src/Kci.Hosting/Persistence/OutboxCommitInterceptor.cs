using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kci.Hosting.Persistence;

/// <summary>
/// Notices outbox rows in a save and, once they are committed, has them sent right away (or, with sending after
/// commit off, wakes the relay), so a released KCI leaves within milliseconds instead of waiting for a poll.
/// </summary>
public sealed class OutboxCommitInterceptor<TDb>(OutboxSignal<TDb> signal, OutboxDelivery<TDb> delivery) : IDbTransactionInterceptor, ISaveChangesInterceptor
    where TDb : DbContext
{
    private static readonly ConditionalWeakTable<DbContext, List<OutboxMessage>> Pending = [];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Track(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Track(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
            DeliverAsync(eventData.Context, default).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
            await DeliverAsync(eventData.Context, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        DeliverAsync(eventData.Context, default).GetAwaiter().GetResult();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        DeliverAsync(eventData.Context, cancellationToken);

    // Rows of a transaction that did not commit are never sent; a failed save forgets the transaction's rows too
    // (after a savepoint rollback some of them may still commit: the sweep sends those a few seconds later).
    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        Forget(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private static void Track(DbContext? context)
    {
        if (context is null)
            return;
        var added = context.ChangeTracker.Entries<OutboxMessage>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (added.Count > 0)
            Pending.GetValue(context, _ => []).AddRange(added);
    }

    private Task DeliverAsync(DbContext? context, CancellationToken cancellationToken)
    {
        if (context is null || !Pending.TryGetValue(context, out var rows))
            return Task.CompletedTask;
        Pending.Remove(context);
        if (delivery.SendsAfterCommit)
            return delivery.SendAfterCommitAsync(rows, cancellationToken);
        signal.Notify();
        return Task.CompletedTask;
    }

    private static void Forget(DbContext? context)
    {
        if (context is not null)
            Pending.Remove(context);
    }
}
