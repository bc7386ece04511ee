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
/// transaction that locks the saga row with <c>SELECT ... FOR UPDATE</c> (through its <see cref="ISagaLoader{TSaga, TDb}"/>) (SERIALIZABLE would fail with
/// 40001 under contention on PostgreSQL) and commits the saga, its KCIs and its outbox rows together.
/// The insert race of two first messages for one saga ends in 23505 for the loser, whose transaction
/// rolls back whole; the endpoint's retry then finds the row and waits on its lock.
/// </summary>
/// <remarks>Registered scoped: one instance, and one <typeparamref name="TDb"/>, per message.</remarks>
public sealed class PostgresSagaRepository<TSaga, TDb>(TDb db, ISagaConsumeContextFactory<TDb, TSaga> consumeContextFactory,
    ISagaLoader<TSaga, TDb> loader) :
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
        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T, TDb>(db, context, consumeContextFactory, loader);
        await next.Send(repositoryContext);
        await transaction.CommitAsync(context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
        var repositoryContext = new PostgresSagaRepositoryContext<TSaga, T, TDb>(db, context, consumeContextFactory, loader);

        var ids = await db.Set<TSaga>().AsNoTracking().IgnoreAutoIncludes()
            .Where(query.FilterExpression).Select(x => x.CorrelationId).OrderBy(x => x)
            .ToListAsync(context.CancellationToken);
        var instances = new List<TSaga>(ids.Count);
        foreach (var id in ids) // locked one by one in id order, so two queries never deadlock
        {
            if ((await loader.LockAndLoadAsync(db, id, context.CancellationToken)).Instance is { } instance)
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
    ISagaConsumeContextFactory<TDb, TSaga> factory,
    ISagaLoader<TSaga, TDb> loader)
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
        var (instance, now) = await loader.LockAndLoadAsync(db, correlationId, CancellationToken);
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
}
