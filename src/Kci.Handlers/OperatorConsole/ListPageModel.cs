using Kci.Handlers.Operations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kci.Handlers.OperatorConsole;

/// <summary>
/// A console list: the filters it takes from the query string (supplier, entity type, status, reason, a date range, a
/// search), and its page (<c>p</c>: Razor Pages keeps <c>page</c> for itself). Each list shows the filters that apply to it.
/// </summary>
public abstract class ListPageModel : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Supplier { get; set; }
    [BindProperty(SupportsGet = true, Name = "type")] public string? EntityType { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "q")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    /// <summary>Which filters the list shows: any of supplier, type, status, reason, dates, search.</summary>
    public abstract IReadOnlySet<string> Filters { get; }

    public int CurrentPage => Math.Clamp(PageNumber, 1, ListPages.MaxPage);

    public ListFilter Filter => new(Blank(Supplier), Blank(EntityType), Blank(Status), Blank(Reason), From, To, Blank(Search));

    public bool HasMore { get; protected set; }

    /// <summary>The current query with <paramref name="changes"/> applied (null removes a key).</summary>
    public string QueryWith(params (string Key, string? Value)[] changes)
    {
        var values = Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.Ordinal);
        foreach (var (key, value) in changes)
            values[key] = value;
        var pairs = values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value!)}");
        return "?" + string.Join('&', pairs);
    }

    /// <summary>This page of <paramref name="ordered"/> (<see cref="ConsoleQueries.PageSize"/> rows), noting whether another follows.</summary>
    protected async Task<List<T>> PageOfAsync<T>(IQueryable<T> ordered, CancellationToken cancellationToken)
    {
        var rows = await ordered.Skip((CurrentPage - 1) * ConsoleQueries.PageSize).Take(ConsoleQueries.PageSize + 1).ToListAsync(cancellationToken);
        HasMore = rows.Count > ConsoleQueries.PageSize;
        return HasMore ? rows[..ConsoleQueries.PageSize] : rows;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
