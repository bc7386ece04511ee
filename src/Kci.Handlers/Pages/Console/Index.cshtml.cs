using Kci.Handlers.OperatorConsole;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kci.Handlers.Pages.Console;

/// <summary>Is anything stuck, since when, and why: every number links to the list behind it.</summary>
public sealed class IndexModel(ConsoleQueries queries, TimeProvider clock) : PageModel
{
    public Overview Overview { get; private set; } = null!;
    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Overview = await queries.OverviewAsync(cancellationToken);
    }
}
