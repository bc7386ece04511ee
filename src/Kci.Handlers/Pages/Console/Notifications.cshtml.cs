using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>Deliveries to the tenant's subscribers: failing ones are retried on their own; this shows why they fail.</summary>
public sealed class NotificationsModel(HandlersDb db) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    public List<(NotificationDelivery Delivery, string? EntityType, string? EntityId)> Deliveries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var f = Filter;
        var query = db.Notifications.AsNoTracking();
        if (State is "pending" or "failed" or "delivered")
            query = query.Where(n => n.State == State);
        if (f.FromInstant is { } from)
            query = query.Where(n => n.CreatedAt >= from);
        if (f.ToInstant is { } to)
            query = query.Where(n => n.CreatedAt < to);
        if (f.Search is { } search)
            query = Guid.TryParse(search, out var id) ? query.Where(n => n.KciId == id) : query.Where(n => n.Subscription == search);
        var rows = await PageOfAsync(from n in query
                          join t in db.Timeline.AsNoTracking() on n.KciId equals t.KciId into handled
                          from t in handled.DefaultIfEmpty()
                          join o in db.Orders.AsNoTracking() on t.OrderId equals o.OrderId into orders
                          from o in orders.DefaultIfEmpty()
                          orderby n.Id descending
                          select new { n, EntityType = o == null ? null : o.EntityType, EntityId = o == null ? null : o.EntityId }, cancellationToken);
        Deliveries = [.. rows.Select(r => (r.n, r.EntityType, r.EntityId))];
    }
}
