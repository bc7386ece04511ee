using Kci.Handlers.DeadLetters;
using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Persistence;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Kci.Handlers.Pages.Console;

/// <summary>Messages that faulted for good, waiting for an operator (or replayed, with <c>status=replayed</c>), by queue.</summary>
public sealed class DeadLettersModel(HandlersDb db) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "type", "status", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    [BindProperty(SupportsGet = true)] public string? Queue { get; set; }
    public List<DeadLetter> Letters { get; private set; } = [];

    /// <summary>The letters' KCIs that have been handled since (retried from their order): replaying them changes nothing.</summary>
    public HashSet<Guid> HandledSince { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var f = Filter;
        var state = f.Status == DeadLetterStates.Replayed ? DeadLetterStates.Replayed : DeadLetterStates.Dead;
        var query = db.DeadLetters.AsNoTracking().Where(d => d.State == state);
        if (!string.IsNullOrWhiteSpace(Queue))
            query = query.Where(d => d.Queue == Queue);
        if (f.EntityType is { } type)
            query = query.Where(d => d.EntityType == type);
        if (f.FromInstant is { } from)
            query = query.Where(d => d.TakenAt >= from);
        if (f.ToInstant is { } to)
            query = query.Where(d => d.TakenAt < to);
        if (f.Search is { } search)
            query = Guid.TryParse(search, out var id)
                ? query.Where(d => d.KciId == id || d.MessageId == id || d.OrderId == id)
                : query.Where(d => d.EntityId == search || d.ConversationId == search);
        Letters = await PageOfAsync(query.OrderBy(d => d.FaultedAt ?? d.TakenAt).ThenBy(d => d.Id), cancellationToken);
        var kciIds = Letters.Where(l => l.KciId is not null).Select(l => l.KciId!.Value).ToList();
        HandledSince = [.. await db.Timeline.AsNoTracking().Where(t => kciIds.Contains(t.KciId)).Select(t => t.KciId).ToListAsync(cancellationToken)];
    }
}
