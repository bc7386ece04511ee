using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>ERROR KCIs: the gateway could not do what an order asked; the latest first.</summary>
public sealed class ErrorsModel(HandlersDb db, PersonalDataAccess personal) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "type", "status", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    public List<GatewayError> Errors { get; private set; } = [];
    public PersonalView Personal { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Personal = personal.For(User);
        var f = Filter;
        var query = db.Errors.AsNoTracking();
        if (f.EntityType is { } type)
            query = query.Where(e => e.EntityType == type);
        if (f.Status is { } status)
            query = query.Where(e => e.EntityStatus == status);
        if (f.FromInstant is { } from)
            query = query.Where(e => e.RecordedAt >= from);
        if (f.ToInstant is { } to)
            query = query.Where(e => e.RecordedAt < to);
        if (f.Search is { } search)
            query = Guid.TryParse(search, out var id) ? query.Where(e => e.KciId == id || e.OrderId == id) : query.Where(e => e.EntityId == search || e.Code == search || e.Uuid == search);
        Errors = await PageOfAsync(query.OrderByDescending(e => e.RecordedAt).ThenBy(e => e.KciId), cancellationToken);
    }
}
