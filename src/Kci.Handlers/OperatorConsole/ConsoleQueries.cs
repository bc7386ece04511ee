using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Kci.Handlers.OperatorConsole;

public sealed record WaitingCount(string Reason, int Orders, DateTimeOffset? OldestSince);

public sealed record MinuteCount(DateTimeOffset Minute, int Received, int Handled);

public sealed record Overview(
    IReadOnlyList<WaitingCount> Waiting, IReadOnlyList<MinuteCount> LastHour, int OpenActions, DateTimeOffset? OldestOpenAction,
    int GatewayErrorsLastDay, IReadOnlyList<DeadLetterQueueSummary> DeadLetters, int FailingNotifications, DateTimeOffset? OldestFailingNotification,
    QueueReport Queues);

/// <summary>The filters every list takes (those that apply to it): supplier, entity type, status, reason, a date range, a search.</summary>
public sealed record ListFilter(string? Supplier, string? EntityType, string? Status, string? Reason, DateOnly? From, DateOnly? To, string? Search)
{
    public DateTimeOffset? FromInstant => From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
    public DateTimeOffset? ToInstant => To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}

public sealed record WaitingOrder(SequencerView Sequencer, string? Supplier, string? Status);

/// <summary>What the console reads: the same tables and the same sequencer view as the operations API, never the sequencer's tables.</summary>
public sealed class ConsoleQueries(HandlersDb db, NpgsqlDataSource dataSource, RabbitManagement rabbit, TimeProvider clock)
{
    public const int PageSize = 50;

    /// <summary>The reasons an order waits, in the order the overview shows them.</summary>
    public static readonly string[] WaitingReasons = ["blocked", "dead-letter", "parked", "gap", "acknowledgement"];

    public async Task<Overview> OverviewAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var ackBefore = now - SequencerReader.AcknowledgementWait;
        var waiting = await db.SequencerOrders.AsNoTracking()
            .Where(o => o.WaitingReason != null && (o.WaitingReason != "acknowledgement" || o.WaitingSince < ackBefore))
            .GroupBy(o => o.WaitingReason!)
            .Select(g => new { Reason = g.Key, Orders = g.Count(), Oldest = g.Min(o => o.WaitingSince) })
            .ToListAsync(cancellationToken);
        var byReason = WaitingReasons.Select(r => waiting.SingleOrDefault(w => w.Reason == r) is { } w
            ? new WaitingCount(r, w.Orders, w.Oldest) : new WaitingCount(r, 0, null)).ToList();

        var openActions = await db.Actions.AsNoTracking().Where(a => a.Open)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), Oldest = g.Min(a => a.CreatedAt) }).SingleOrDefaultAsync(cancellationToken);
        var errors = await db.Errors.AsNoTracking().CountAsync(e => e.RecordedAt >= now.AddDays(-1), cancellationToken);
        var failing = await db.Notifications.AsNoTracking().Where(n => n.State == "failed")
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), Oldest = g.Min(n => n.CreatedAt) }).SingleOrDefaultAsync(cancellationToken);
        var deadLetters = await DeadLettersEndpoints.SummariesAsync(db, cancellationToken);
        var queues = await rabbit.QueuesAsync(cancellationToken);
        return new Overview(byReason, await LastHourAsync(now, cancellationToken), openActions?.Count ?? 0, openActions?.Oldest, errors, deadLetters,
            failing?.Count ?? 0, failing?.Oldest, queues);
    }

    /// <summary>
    /// KCIs per minute over the last hour: handled, by when Handlers committed them; received, by the ingress's receipt time,
    /// of those handled since (a KCI still held by the sequencer is counted once it is handled; waiting ones show above).
    /// </summary>
    private async Task<List<MinuteCount>> LastHourAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-59);
        const string sql = """
            SELECT minute, sum(received)::int, sum(handled)::int FROM (
              SELECT date_trunc('minute', handled_at) AS minute, 0 AS received, count(*) AS handled
              FROM handlers.timeline WHERE handled_at >= $1 GROUP BY 1
              UNION ALL
              SELECT date_trunc('minute', received_at), count(*), 0
              FROM handlers.timeline WHERE handled_at >= $1 AND received_at >= $1 GROUP BY 1) counts
            GROUP BY minute
            """;
        var counts = new Dictionary<DateTimeOffset, (int Received, int Handled)>();
        await using (var command = dataSource.CreateCommand(sql))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                counts[reader.GetFieldValue<DateTimeOffset>(0)] = (reader.GetInt32(1), reader.GetInt32(2));
        }
        return [.. Enumerable.Range(0, 60).Select(i => since.AddMinutes(i))
            .Select(m => counts.TryGetValue(m, out var c) ? new MinuteCount(m, c.Received, c.Handled) : new MinuteCount(m, 0, 0))];
    }

    /// <summary>Orders, the latest updated first. The search finds an order by its id, one of its KCIs' ids, or a conversation id.</summary>
    public async Task<IQueryable<OrderSummary>> OrdersAsync(ListFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Orders.AsNoTracking();
        if (filter.Supplier is { } supplier)
            query = query.Where(o => o.Supplier == supplier);
        if (filter.EntityType is { } type)
            query = query.Where(o => o.EntityType == type);
        if (filter.Status is { } status)
            query = query.Where(o => o.Status == status);
        if (filter.FromInstant is { } from)
            query = query.Where(o => o.UpdatedAt >= from);
        if (filter.ToInstant is { } to)
            query = query.Where(o => o.UpdatedAt < to);
        if (filter.Search is { } search)
        {
            var orderIds = await SearchOrderIdsAsync(search, cancellationToken);
            query = query.Where(o => o.EntityId == search || orderIds.Contains(o.OrderId));
        }
        return query.OrderByDescending(o => o.UpdatedAt).ThenBy(o => o.OrderId)
            .Select(o => new OrderSummary(o.EntityType, o.EntityId, o.Supplier, o.SupplierOrderNumber, o.Status, o.LastAppliedSequence, o.UpdatedAt));
    }

    /// <summary>The orders a KCI id or a conversation id belongs to (handled, waiting in a dead letter, or both).</summary>
    private async Task<List<Guid>> SearchOrderIdsAsync(string search, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(search, out var kciId))
        {
            var byKci = await db.Timeline.AsNoTracking().Where(t => t.KciId == kciId).Select(t => t.OrderId).ToListAsync(cancellationToken);
            byKci.AddRange(await db.DeadLetters.AsNoTracking().Where(d => d.KciId == kciId && d.OrderId != null).Select(d => d.OrderId!.Value).ToListAsync(cancellationToken));
            byKci.Add(kciId); // an order id itself
            return byKci;
        }
        return await db.Timeline.AsNoTracking().Where(t => t.ConversationId == search).Select(t => t.OrderId).Distinct().Take(PageSize).ToListAsync(cancellationToken);
    }

    /// <summary>Orders that wait (as the operations API's <c>/sequencer/held</c>), the longest first, with their supplier and status where known.</summary>
    public async Task<IQueryable<WaitingRow>> WaitingAsync(ListFilter filter, CancellationToken cancellationToken)
    {
        var query = SequencerReader.Waiting(db, clock.GetUtcNow());
        if (filter.Reason is { } reason)
            query = query.Where(o => o.WaitingReason == reason);
        if (filter.EntityType is { } type)
            query = query.Where(o => o.EntityType == type);
        if (filter.FromInstant is { } from)
            query = query.Where(o => o.WaitingSince >= from);
        if (filter.ToInstant is { } to)
            query = query.Where(o => o.WaitingSince < to);
        if (filter.Search is { } search)
        {
            var orderIds = await SearchOrderIdsAsync(search, cancellationToken);
            query = query.Where(o => o.EntityId == search || orderIds.Contains(o.CorrelationId));
        }
        var joined = from o in query
                     join s in db.Orders.AsNoTracking() on o.CorrelationId equals s.OrderId into known
                     from s in known.DefaultIfEmpty()
                     select new { o, Supplier = s == null ? null : s.Supplier, Status = s == null ? null : s.Status };
        if (filter.Supplier is { } supplier)
            joined = joined.Where(x => x.Supplier == supplier);
        if (filter.Status is { } status)
            joined = joined.Where(x => x.Status == status);
        return joined.OrderBy(x => x.o.WaitingSince).ThenBy(x => x.o.CorrelationId).Select(x => new WaitingRow(x.o, x.Supplier, x.Status));
    }
}

/// <summary>A waiting order as read; <see cref="View"/> is what the console shows of it.</summary>
public sealed record WaitingRow(SequencerOrder Order, string? Supplier, string? Status)
{
    public WaitingOrder View() => new(SequencerReader.View(Order), Supplier, Status);
}
