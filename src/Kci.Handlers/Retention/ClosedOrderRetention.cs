using System.ComponentModel.DataAnnotations;
using Kci.Handlers.DeadLetters;
using Kci.Handlers.Persistence;
using Kci.Handlers.Privacy;
using Kci.Hosting;
using Kci.Hosting.Resilience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Retention;

/// <summary>
/// Section <c>Retention</c>. <see cref="ClosedOrderBodies"/>: how long the KCI bodies and contact details of a closed order
/// are kept after its last update. 90 days by default (docs/operations.md, "Personal data": past the eight weeks after which
/// a customer's complaint may go to the ombudsman, and past the gateway's own dispute window; the timeline's metadata, which
/// carries no contact details, stays for as long as the order does).
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")] public TimeSpan ClosedOrderBodies { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the job looks for orders past the period.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Orders redacted per transaction.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 200;

    /// <summary>The statuses after which an order changes no more: the final ones of the action rules, with REJECTED and RESOLVED.</summary>
    public string[] ClosedStatuses { get; set; } = [.. Recording.ActionRules.FinalStatuses.Order(StringComparer.Ordinal), "REJECTED", "RESOLVED"];
}

/// <summary>
/// UK GDPR storage limitation: once an order has been closed for <see cref="RetentionOptions.ClosedOrderBodies"/>, its KCI
/// bodies and supplier notes are removed, and the contact details in its entity, its KCIs' texts, its action items, its
/// gateway errors' messages and its replayed dead letters are redacted. The timeline's metadata (numbers, types, codes,
/// times, flags, ids) stays. Each round that redacts anything is recorded in <c>operator_actions</c> as the retention job's,
/// and logged. Safe in every Handlers instance at once: orders are claimed with SKIP LOCKED.
/// </summary>
public sealed class ClosedOrderRetention(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, DatabaseGate gate,
    ILogger<ClosedOrderRetention> logger) : RepeatingService(clock, logger, gate)
{
    public const string Operator = "retention job";

    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        while (await RedactBatchAsync(cancellationToken) == options.Value.BatchSize)
        {
        }
    }

    /// <summary>Redacts one batch of orders past the period; returns how many.</summary>
    public async Task<int> RedactBatchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = Clock.GetUtcNow();
        var closedBefore = now - settings.ClosedOrderBodies;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HandlersDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var statuses = settings.ClosedStatuses;
        var orders = await db.Orders.FromSql($"""
            SELECT * FROM handlers.orders
            WHERE redacted_at IS NULL AND status = ANY({statuses}) AND updated_at < {closedBefore}
            ORDER BY updated_at LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        if (orders.Count == 0)
            return 0;

        var ids = orders.Select(o => o.OrderId).ToList();
        foreach (var order in orders)
        {
            order.Entity = PersonalData.Redact(order.Entity);
            order.RedactedAt = now;
        }
        await db.Timeline.Where(t => ids.Contains(t.OrderId))
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.Body, (string?)null).SetProperty(x => x.SupplierNotes, (string?)null), cancellationToken);
        foreach (var entry in await db.Timeline.Where(t => ids.Contains(t.OrderId) && t.Text != null).ToListAsync(cancellationToken))
            entry.Text = PersonalData.RedactText(entry.Text);
        foreach (var action in await db.Actions.Where(a => ids.Contains(a.OrderId) && a.Text != null).ToListAsync(cancellationToken))
            action.Text = PersonalData.RedactText(action.Text);
        foreach (var error in await db.Errors.Where(e => ids.Contains(e.OrderId) && e.Messages != null).ToListAsync(cancellationToken))
            error.Messages = PersonalData.RedactText(error.Messages);
        await db.DeadLetters.Where(d => d.OrderId != null && ids.Contains(d.OrderId.Value) && d.State != DeadLetterStates.Dead)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Envelope, Array.Empty<byte>()), cancellationToken);
        db.OperatorActions.Add(new OperatorAction
        {
            Command = "retention", Operator = Operator, At = now, Outcome = "done",
            Target = $"{orders.Count} order(s) closed before {closedBefore:O}: {string.Join(", ", orders.Take(20).Select(o => $"{o.EntityType}/{o.EntityId}"))}{(orders.Count > 20 ? ", …" : "")}",
            Reason = $"Retention:ClosedOrderBodies is {settings.ClosedOrderBodies} (UK GDPR storage limitation): KCI bodies, supplier notes and contact details removed, timeline metadata kept",
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.RetentionApplied(logger, orders.Count, closedBefore, settings.ClosedOrderBodies);
        return orders.Count;
    }
}

public static class RetentionExtensions
{
    public static IHostApplicationBuilder AddClosedOrderRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ClosedOrderRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ClosedOrderRetention>());
        return builder;
    }
}
