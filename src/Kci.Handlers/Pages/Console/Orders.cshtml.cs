using Kci.Handlers.OperatorConsole;
using Kci.Handlers.Operations;

namespace Kci.Handlers.Pages.Console;

/// <summary>Every order Handlers know, the latest updated first; a search by order, KCI or conversation id.</summary>
public sealed class OrdersModel(ConsoleQueries queries) : ListPageModel
{
    private static readonly HashSet<string> Shown = ["search", "supplier", "type", "status", "dates"];

    public override IReadOnlySet<string> Filters => Shown;
    public List<OrderSummary> Orders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Orders = await PageOfAsync(await queries.OrdersAsync(Filter, cancellationToken), cancellationToken);
    }
}
