using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;
using Kci.Handlers.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>What the tenant must do (action-required KCIs), open ones first by age; resolved ones with <c>status=resolved</c>.</summary>
public sealed class ActionsModel(HandlersDb db, PersonalDataAccess personal) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "type", "status", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    public List<ActionItem> Items { get; private set; } = [];
    public PersonalView Personal { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Personal = personal.For(User);
        var f = Filter;
        var open = f.Status != "resolved";
        var query = db.Actions.AsNoTracking().Where(a => a.Open == open);
        if (f.EntityType is { } type)
            query = query.Where(a => a.EntityType == type);
        if (f.FromInstant is { } from)
            query = query.Where(a => a.CreatedAt >= from);
        if (f.ToInstant is { } to)
            query = query.Where(a => a.CreatedAt < to);
        if (f.Search is { } search)
            query = query.Where(a => a.EntityId == search || a.Type == search || a.Code == search);
        Items = await PageOfAsync(query.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id), cancellationToken);
    }
}
