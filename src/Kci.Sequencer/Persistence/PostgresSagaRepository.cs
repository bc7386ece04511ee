using System.Data;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Kci.Sequencer.Persistence;

/// <summary>
/// A MassTransit saga repository on EF Core and PostgreSQL, written on MassTransit's public repository SPI
/// (MassTransit.EntityFrameworkCore is not available to us). Each message runs in one READ COMMITTED
/// transaction that locks the saga row with <c>SELECT ... FOR UPDATE</c> (SERIALIZABLE would fail with
/// 40001 under contention on PostgreSQL) and commits the saga, its KCIs and its outbox rows together.
/// The insert race of two first messages for one saga ends in 23505 for the loser, whose transaction
/// rolls back whole; the endpoint's retry then finds the row and waits on its lock.
/// </summary>
/// <remarks>Registered scoped: one instance, and one <typeparamref name="TDb"/>, per message.</remarks>
public sealed class PostgresSagaRepository<TSaga, TDb>(TDb db, ISagaConsumeContextFactory<TDb, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
    where TDb : DbContext
{
    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "postgresql");
        context.Add("table", SagaTable.Of<TSaga>(db).Name);
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next) where T : class
    {
        db.ChangeTracker.Clear(); // a retried message starts from what is committed
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T, TDb>(db, context, consumeContextFactory);
        await next.Send(repositoryContext);
        await transaction.CommitAsync(context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T, TDb>(db, context, consumeContextFactory);

        var ids = await db.Set<TSaga>().AsNoTracking().IgnoreAutoIncludes()
            .Where(query.FilterExpression).Select(x => x.CorrelationId).OrderBy(x => x)
            .ToListAsync(context.CancellationToken);
        var instances = new List<TSaga>(ids.Count);
        foreach (var id in ids) // locked one by one in id order, so two queries never deadlock
        {
            if ((await SagaTable.LockAndLoad<TSaga>(db, id, context.CancellationToken)).Instance is { } instance)
                instances.Add(instance);
        }

        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        await transaction.CommitAsync(context.CancellationToken);
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => asyncMethod(new ReadOnlySagaContext<TSaga>(db, cancellationToken));

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class => asyncMethod(new ReadOnlySagaContext<TSaga>(db, cancellationToken));
}

/// <summary>The per-message unit of work that MassTransit's saga pipes drive.</summary>
internal sealed class PostgresSagaRepositoryContext<TSaga, TMessage, TDb>(
    TDb db,
    ConsumeContext<TMessage> context,
    ISagaConsumeContextFactory<TDb, TSaga> factory)
    : ConsumeContextScope<TMessage>(context, db, new TransactionTime()), SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
    where TDb : DbContext
{
    // The saga's consume context wraps this scope rather than the bare message context, so state machine
    // activities find the DbContext as a payload (GetPayload<TDb>) and write outbox rows into this transaction.
    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        // Only used by events configured InsertOnInitial. A savepoint keeps the transaction usable when
        // the row exists already (PostgreSQL aborts the whole transaction on a failed INSERT otherwise).
        var transaction = db.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync("saga_insert", CancellationToken);
        var entry = db.Set<TSaga>().Add(instance);
        try
        {
            await db.SaveChangesAsync(CancellationToken);
            await transaction.ReleaseSavepointAsync("saga_insert", CancellationToken);
            return await factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Insert);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackToSavepointAsync("saga_insert", CancellationToken);
            entry.State = EntityState.Detached;
            return null!; // MassTransit then loads the existing instance
        }
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var (instance, now) = await SagaTable.LockAndLoad<TSaga>(db, correlationId, CancellationToken);
        if (TryGetPayload<TransactionTime>(out var time))
            time.Now = now;
        return instance is null
            ? null!
            : await factory.CreateSagaConsumeContext(db, this, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        db.Set<TSaga>().Add(context.Saga);
        await db.SaveChangesAsync(CancellationToken); // the insert race ends in 23505 on the saga's key: contention, retried
    }

    public Task Update(SagaConsumeContext<TSaga> context) => db.SaveChangesAsync(CancellationToken);

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        db.Set<TSaga>().Remove(context.Saga);
        await db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        db.ChangeTracker.Clear();
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        // A read-only event leaves the row as it was: forget whatever the machine touched.
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).ToList())
            entry.State = entry.State == EntityState.Added ? EntityState.Detached : EntityState.Unchanged;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class => factory.CreateSagaConsumeContext(db, consumeContext, instance, mode);
}

/// <summary>Loads for queries and tests: no lock, no tracking.</summary>
internal sealed class ReadOnlySagaContext<TSaga>(DbContext db, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>, QuerySagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public Task<TSaga?> Load(Guid correlationId) =>
        db.Set<TSaga>().AsNoTracking().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, CancellationToken);

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default)
    {
        var ids = await db.Set<TSaga>().AsNoTracking().IgnoreAutoIncludes().Where(query.FilterExpression)
            .Select(x => x.CorrelationId).ToListAsync(cancellationToken);
        return new DefaultSagaRepositoryQueryContext<TSaga>(this, ids);
    }

    Task<TSaga> LoadSagaRepositoryContext<TSaga>.Load(Guid correlationId) => Load(correlationId)!;
}

/// <summary>
/// The database's clock for the current message, read under the saga's lock: every time the saga stores and every deadline
/// it sets comes from one clock, whichever instance handles the message (a payload of the saga's consume context).
/// </summary>
public sealed class TransactionTime
{
    public DateTimeOffset? Now { get; set; }
}

internal sealed record SagaTable(string Name, string KeyColumn)
{
    public static SagaTable Of<TSaga>(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TSaga)) ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not in the model");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindProperty(nameof(ISaga.CorrelationId))!.GetColumnName(table)!;
        return new SagaTable($"\"{entity.GetSchema()}\".\"{entity.GetTableName()}\"", $"\"{key}\"");
    }

    /// <summary>
    /// Locks the saga row for the rest of the transaction, then loads it with its auto-included children; also reads the
    /// database's clock. Two statements on purpose: under READ COMMITTED, a statement that waited for a row
    /// lock sees the locked row's newest version but reads every other table with the snapshot it took before the wait, so a
    /// single <c>SELECT ... FOR UPDATE</c> joined to the KCIs would miss the KCIs the previous lock holder just committed.
    /// The second statement takes a fresh snapshot, after the lock is ours.
    /// </summary>
    public static async Task<(TSaga? Instance, DateTimeOffset Now)> LockAndLoad<TSaga>(DbContext db, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        var table = Of<TSaga>(db);
        var connection = db.Database.GetDbConnection();
        await using var lockRow = connection.CreateCommand();
        lockRow.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
#pragma warning disable CA2100 // table and column names come from our own model; the id is a parameter
        // The clock is read after the lock was granted (left to right), so it never lies before the previous holder's commit.
        lockRow.CommandText = $"SELECT (SELECT count(*) FROM (SELECT 1 FROM {table.Name} WHERE {table.KeyColumn} = @id FOR UPDATE) l) > 0, clock_timestamp()";
#pragma warning restore CA2100
        var id = lockRow.CreateParameter();
        id.ParameterName = "id";
        id.Value = correlationId;
        lockRow.Parameters.Add(id);
        DateTimeOffset now;
        bool locked;
        await using (var reader = await lockRow.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            locked = reader.GetBoolean(0);
            now = reader.GetFieldValue<DateTimeOffset>(1);
        }
        // No row locked means no saga, even if another transaction commits one a moment later: the caller then
        // inserts, meets 23505, and its retry locks the row properly. Loading it unlocked would race.
        if (!locked)
            return (null, now);
        return (await db.Set<TSaga>().SingleOrDefaultAsync(x => x.CorrelationId == correlationId, cancellationToken), now);
    }
}
