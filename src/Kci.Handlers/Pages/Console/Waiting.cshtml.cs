using Kci.Handlers.OperatorConsole;

namespace Kci.Handlers.Pages.Console;

/// <summary>Orders that wait, the longest first: why, since when, and what the sequencer holds for them.</summary>
public sealed class WaitingModel(ConsoleQueries queries, TimeProvider clock) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "reason", "supplier", "type", "status", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    public List<WaitingOrder> Orders { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        var rows = await PageOfAsync(await queries.WaitingAsync(Filter, cancellationToken), cancellationToken);
        Orders = [.. rows.Select(r => r.View())];
    }
}
