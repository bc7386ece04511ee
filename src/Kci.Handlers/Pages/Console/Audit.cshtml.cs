using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>Every operator action and retention run: who, what, why, when, and what came of it.</summary>
public sealed class AuditModel(HandlersDb db) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    public List<OperatorAction> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var f = Filter;
        var query = db.OperatorActions.AsNoTracking();
        if (f.FromInstant is { } from)
            query = query.Where(a => a.At >= from);
        if (f.ToInstant is { } to)
            query = query.Where(a => a.At < to);
        if (f.Search is { } search)
            query = query.Where(a => a.Operator == search || a.Command == search || a.Target.Contains(search));
        Items = await PageOfAsync(query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id), cancellationToken);
    }
}
